"""ModelHub: the configured vision backends, each loaded lazily and only once.

One hub exists per distinct (frozen) Config, so every ToolContext built from the same
configuration shares loaded models. Each model has its own lock: two threads asking for the
detector wait for one load, while a thread loading OCR does not block the detector.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from agent.config import Config
from agent.errors import ConfigError, ModelUnavailableError


class ModelHub:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._models: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {
            name: threading.Lock() for name in ("detector", "ocr", "faces", "classifier", "vqa", "clip")
        }

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def shared(config: Config) -> ModelHub:
        """The process-wide hub of this configuration."""
        return ModelHub(config)

    def _get(self, name: str, factory: Callable[[], Any]) -> Any:
        if name in self._models:
            return self._models[name]
        with self._locks[name]:
            if name not in self._models:
                self._models[name] = factory()
            return self._models[name]

    def install(self, name: str, model: Any) -> None:
        """Use ``model`` as this hub's ``name`` backend (tests, or a model built in code)."""
        if name not in self._locks:
            raise KeyError(f"unknown model slot {name!r}; known: {', '.join(self._locks)}")
        with self._locks[name]:
            self._models[name] = model

    def loaded(self) -> list[str]:
        return [name for name, model in self._models.items() if model is not None]

    # -- accessors -------------------------------------------------------------------------
    def detector(self) -> Any:
        """An object with ``detect(img, classes=None) -> Detections`` and ``vocabulary``."""
        return self._get("detector", self._load_detector)

    def ocr(self) -> Any:
        return self._get("ocr", self._load_ocr)

    def faces(self) -> Any:
        return self._get("faces", self._load_faces)

    def classifier(self) -> Any:
        return self._get("classifier", self._load_classifier)

    def vqa(self) -> Any:
        """The VLM behind VQA/CAPTION, or None for the offline 'facts' backend."""
        return self._get("vqa", self._load_vqa)

    def clip(self) -> Any:
        """CLIP embeddings, or None unless a CLIP model is configured."""
        return self._get("clip", self._load_clip)

    # -- loaders ---------------------------------------------------------------------------
    def _load_detector(self) -> Any:
        cfg = self.config.detector
        if cfg.backend == "yolox":
            from tools.detect_yolox import YoloxDetector

            path = self.config.detector_path
            if path is None:
                raise ModelUnavailableError(
                    "no YOLOX detector file configured: set detector.path in the config or VISREASON_DETECTOR "
                    "to yolox_nano.onnx (it ships as shared/models/yolox_nano.onnx next to the checkout)")
            return YoloxDetector(path, score_threshold=cfg.score_threshold, nms_threshold=cfg.nms_threshold)
        if cfg.backend == "ultralytics":
            from tools.detect_ultralytics import UltralyticsDetector

            if not cfg.path:
                raise ModelUnavailableError(
                    "the ultralytics detector needs weights: set detector.path to a local .pt file "
                    "(yolo11n.pt, yolov8s-worldv2.pt, yoloe-11s-seg.pt) or a bundled .yaml such as yolo11n.yaml")
            return UltralyticsDetector(cfg.path, score_threshold=cfg.score_threshold, nms_threshold=cfg.nms_threshold)
        raise ConfigError(f"unknown detector.backend {cfg.backend!r}; use 'yolox' or 'ultralytics'")

    def _load_ocr(self) -> Any:
        if self.config.ocr.backend != "rapidocr":
            raise ConfigError(f"unknown ocr.backend {self.config.ocr.backend!r}; use 'rapidocr'")
        from tools.ocr_rapid import RapidOCRReader

        return RapidOCRReader(min_confidence=self.config.ocr.min_confidence)

    def _load_faces(self) -> Any:
        from tools.faces_haar import HaarFaces

        return HaarFaces()

    def _load_classifier(self) -> Any:
        cfg = self.config.classifier
        if cfg.backend == "efficientnet-lite0":
            from tools.classify_efficientnet import EfficientNetClassifier

            return EfficientNetClassifier(cfg.model or None)
        if cfg.backend == "clip":
            model = self.clip()
            if model is None:
                raise ModelUnavailableError(
                    "classifier.backend is 'clip' but no CLIP model is configured: "
                    "set embedder.clip_model (or classifier.model) to a local CLIP model directory")
            return model
        raise ConfigError(f"unknown classifier.backend {cfg.backend!r}; use 'efficientnet-lite0' or 'clip'")

    def _load_vqa(self) -> Any:
        cfg = self.config.vqa
        if cfg.backend == "facts":
            return None
        if cfg.backend == "transformers":
            if not cfg.model:
                raise ModelUnavailableError(
                    "vqa.backend is 'transformers' but vqa.model is empty: set vqa.model to a local BLIP / "
                    "Florence-2 / SmolVLM directory or a hub id already in the Hugging Face cache; "
                    "or use vqa.backend='facts' (offline default)")
            from tools.vlm_transformers import TransformersVLM

            return TransformersVLM(cfg.model)
        raise ConfigError(f"unknown vqa.backend {cfg.backend!r}; use 'facts' or 'transformers'")

    def _load_clip(self) -> Any:
        name = self.config.embedder.clip_model or (
            self.config.classifier.model if self.config.classifier.backend == "clip" else "")
        if not name:
            return None
        from tools.clip_backend import ClipBackend

        return ClipBackend(name)
