"""ModelHub: the configured vision backends, each loaded lazily and only once.

One hub exists per distinct (frozen) Config, so every ToolContext built from the same
configuration shares loaded models. Each model has its own lock: two threads asking for the
detector wait for one load, while a thread loading OCR does not block the detector.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.config import Config
from agent.errors import ConfigError, ModelUnavailableError


def verify_pinned(path: Path) -> None:
    """Check a shared model file against its pinned sha256 (files of other names are the operator's own)."""
    from agent.file_assembly import sha256_file
    from agent.model_registry import REGISTRY

    for spec in REGISTRY.values():
        if spec.source == "local-file" and spec.filename == path.name and spec.sha256:
            if path.is_file() and sha256_file(path) != spec.sha256:
                raise ModelUnavailableError(
                    f"{path}: sha256 does not match {spec.name} ({spec.sha256}); the file is damaged or a "
                    "different model", hint=spec.how_to_get)
            return


class ModelHub:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._models: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {
            name: threading.Lock() for name in ("detector", "ocr", "faces", "classifier", "vqa", "clip", "inpaint")
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

    def inpainter(self) -> Any:
        """REPLACE's text-guided inpainting pipeline, or None unless edit.inpaint_model is set."""
        return self._get("inpaint", self._load_inpainter)

    # -- loaders ---------------------------------------------------------------------------
    def _load_detector(self) -> Any:
        cfg = self.config.detector
        path = self.config.detector_path
        if cfg.backend == "yolox":
            from tools.detect_yolox import YoloxDetector

            if path is None:
                raise ModelUnavailableError(
                    f"no YOLOX detector file: yolox_nano.onnx is not in the model folder {self.config.model_dir_path}",
                    hint="put it there, point model_dir (or $VISREASON_MODEL_DIR) at its folder, or set "
                         "detector.path / $VISREASON_DETECTOR to the file")
            return YoloxDetector(path, score_threshold=cfg.score_threshold, nms_threshold=cfg.nms_threshold)
        if cfg.backend == "ultralytics":
            from tools.detect_ultralytics import UltralyticsDetector

            if path is None:
                raise ModelUnavailableError(
                    "the ultralytics detector needs weights: yolov8n_coco_int8.onnx is not in the model folder "
                    f"{self.config.model_dir_path}",
                    hint="put it there, point model_dir (or $VISREASON_MODEL_DIR) at its folder, or set detector.path "
                         "to a local .onnx/.pt file (yolo11n.pt, yoloe-11s-seg.pt) or a bundled .yaml (yolo11n.yaml)")
            if path.suffix.lower() != ".yaml" and not path.is_file():
                raise ModelUnavailableError(
                    f"ultralytics weights not found at {path}: set detector.path to a local weights file",
                    hint=f"the default is yolov8n_coco_int8.onnx in the model folder {self.config.model_dir_path}")
            verify_pinned(path)
            return UltralyticsDetector(str(path), score_threshold=cfg.score_threshold,
                                       nms_threshold=cfg.nms_threshold)
        raise ConfigError(f"unknown detector.backend {cfg.backend!r}; use 'yolox' or 'ultralytics'")

    def _load_ocr(self) -> Any:
        if self.config.ocr.backend != "rapidocr":
            raise ConfigError(f"unknown ocr.backend {self.config.ocr.backend!r}; use 'rapidocr'")
        from tools.ocr_rapid import RapidOCRReader

        return RapidOCRReader(min_confidence=self.config.ocr.min_confidence)

    def _load_faces(self) -> Any:
        cfg = self.config.faces
        if cfg.backend == "yunet":
            from tools.detect_yunet import YuNetFaces

            path = self.config.yunet_path
            if path is None:
                raise ModelUnavailableError(
                    "no YuNet face detector file: face_detection_yunet.onnx is not in the model folder "
                    f"{self.config.model_dir_path}",
                    hint="put it there, point model_dir (or $VISREASON_MODEL_DIR) at its folder, set faces.path "
                         "to the file, or use faces.backend=haar (no weights file)")
            return YuNetFaces(path, score_threshold=cfg.score_threshold)
        if cfg.backend == "haar":
            from tools.faces_haar import HaarFaces

            return HaarFaces()
        raise ConfigError(f"unknown faces.backend {cfg.backend!r}; use 'yunet' or 'haar'")

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

    def _load_inpainter(self) -> Any:
        cfg = self.config.edit
        if not cfg.inpaint_model:
            return None
        from tools.inpaint_diffusers import DiffusersInpainter

        return DiffusersInpainter(cfg.inpaint_model, steps=cfg.inpaint_steps, guidance=cfg.inpaint_guidance)
