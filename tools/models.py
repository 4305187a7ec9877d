"""ModelHub: the configured vision backends, each loaded lazily and only once.

One hub exists per distinct (frozen) Config, so every ToolContext built from the same
configuration shares loaded models. Each model has its own lock: two threads asking for the
detector wait for one load, while a thread loading OCR does not block the detector. Which class
serves a kind is the registry's business (tools.vision_backends.BACKENDS); the accessors return
the kinds' Protocols (tools.protocols).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import cast

from agent.config import Config
from tools.protocols import (
    Classifier,
    Detector,
    FaceDetector,
    ImageTextEmbedder,
    Inpainter,
    TextReader,
    VisionLanguageModel,
)
from tools.vision_backends import load_backend
from tools.vision_loaders import verify_pinned

__all__ = ["ModelHub", "verify_pinned"]


class ModelHub:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._models: dict[str, object] = {}  # slot -> its backend (a Protocol of tools.protocols), or None
        self._locks: dict[str, threading.Lock] = {
            name: threading.Lock() for name in ("detector", "ocr", "faces", "classifier", "vqa", "clip", "inpaint")
        }

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def shared(config: Config) -> ModelHub:
        """The process-wide hub of this configuration."""
        return ModelHub(config)

    def _get(self, name: str, factory: Callable[[], object]) -> object:
        if name in self._models:
            return self._models[name]
        with self._locks[name]:
            if name not in self._models:
                self._models[name] = factory()
            return self._models[name]

    def install(self, name: str, model: object) -> None:
        """Use ``model`` as this hub's ``name`` backend (tests, or a model built in code)."""
        if name not in self._locks:
            raise KeyError(f"unknown model slot {name!r}; known: {', '.join(self._locks)}")
        with self._locks[name]:
            self._models[name] = model

    def loaded(self) -> list[str]:
        return [name for name, model in self._models.items() if model is not None]

    # -- accessors -------------------------------------------------------------------------
    def _backend(self, kind: str) -> object:
        return self._get(kind, lambda: load_backend(kind, self.config, self))

    def detector(self) -> Detector:
        """An object with ``detect(img, classes=None) -> Detections`` and ``vocabulary``."""
        return cast(Detector, self._backend("detector"))

    def ocr(self) -> TextReader:
        return cast(TextReader, self._backend("ocr"))

    def faces(self) -> FaceDetector:
        return cast(FaceDetector, self._backend("faces"))

    def classifier(self) -> Classifier:
        return cast(Classifier, self._backend("classifier"))

    def vqa(self) -> VisionLanguageModel | None:
        """The VLM behind VQA/CAPTION, or None for the offline 'facts' backend."""
        return cast("VisionLanguageModel | None", self._backend("vqa"))

    def clip(self) -> ImageTextEmbedder | None:
        """CLIP embeddings, or None unless a CLIP model is configured."""
        return cast("ImageTextEmbedder | None", self._get("clip", self._load_clip))

    def inpainter(self) -> Inpainter | None:
        """REPLACE's text-guided inpainting pipeline, or None unless edit.inpaint_model is set."""
        return cast("Inpainter | None", self._get("inpaint", self._load_inpainter))

    # -- optional models (set or not, no choice of backend) ---------------------------------
    def _load_clip(self) -> ImageTextEmbedder | None:
        name = self.config.embedder.clip_model or (
            self.config.classifier.model if self.config.classifier.backend == "clip" else "")
        if not name:
            return None
        from tools.clip_backend import ClipBackend

        return ClipBackend(name)

    def _load_inpainter(self) -> Inpainter | None:
        cfg = self.config.edit
        if not cfg.inpaint_model:
            return None
        from tools.inpaint_diffusers import DiffusersInpainter

        return DiffusersInpainter(cfg.inpaint_model, steps=cfg.inpaint_steps, guidance=cfg.inpaint_guidance)
