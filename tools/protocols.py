"""What the layers above see of the vision backends and of the tool runtime: Protocols, not classes.

A backend is any object with these methods; nothing has to inherit from anything. The hub
(:mod:`tools.models`) returns these types, the tools call only these methods, and the program
engine and the agent type their ``ToolContext`` / registry parameters with them, so no layer
needs ``Any`` to avoid importing a layer above it. (The program engine sits above tools/ and
imports the concrete ``ToolRegistry`` and ``ToolContext`` directly; these Protocols are for what varies.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
from PIL import Image

from tools.types import Detections

if TYPE_CHECKING:
    from tools.ocr_rapid import TextLine


@runtime_checkable
class Detector(Protocol):
    """LOC's object detector (YOLOv8n, YOLOX-Nano, an open-vocabulary YOLO)."""

    @property
    def vocabulary(self) -> Sequence[str] | None:
        """The class names it can find, or None for an open vocabulary."""
        ...

    def detect(self, img: Image.Image, classes: list[str] | None = None) -> Detections: ...


@runtime_checkable
class FaceDetector(Protocol):
    """FACEDET's backend (YuNet, Haar cascades)."""

    def detect(self, img: Image.Image, kind: str = "face") -> Detections: ...


@runtime_checkable
class TextReader(Protocol):
    """OCR's backend: text lines with their boxes and confidences."""

    def read(self, img: Image.Image) -> list[TextLine]: ...


@runtime_checkable
class Classifier(Protocol):
    """CLASSIFY's whole-image classifier; ``features`` are the image embeddings retrieval reuses."""

    def classify(self, img: Image.Image, k: int = 5) -> list[tuple[str, float]]: ...

    def features(self, img: Image.Image | list[Image.Image]) -> np.ndarray: ...


@runtime_checkable
class ImageTextEmbedder(Protocol):
    """A joint image-text model (CLIP): zero-shot labels, crop-text similarity, both embeddings."""

    def image_features(self, images: Image.Image | list[Image.Image]) -> np.ndarray: ...

    def text_features(self, texts: str | list[str]) -> np.ndarray: ...

    def similarity(self, images: list[Image.Image], text: str) -> np.ndarray: ...

    def zero_shot(self, img: Image.Image, labels: list[str]) -> list[tuple[str, float]]: ...


@runtime_checkable
class VisionLanguageModel(Protocol):
    """VQA/CAPTION's VLM (BLIP, Florence-2, SmolVLM)."""

    def caption(self, img: Image.Image) -> str: ...

    def answer(self, img: Image.Image, question: str) -> str: ...


@runtime_checkable
class Inpainter(Protocol):
    """REPLACE's text-guided inpainting."""

    def inpaint(self, image: Image.Image, mask: np.ndarray, prompt: str) -> Image.Image: ...


class Models(Protocol):
    """The configured backends as tools see them (``ToolContext.models``; :class:`tools.models.ModelHub`)."""

    def detector(self) -> Detector: ...

    def ocr(self) -> TextReader: ...

    def faces(self) -> FaceDetector: ...

    def classifier(self) -> Classifier: ...

    def vqa(self) -> VisionLanguageModel | None: ...

    def clip(self) -> ImageTextEmbedder | None: ...

    def inpainter(self) -> Inpainter | None: ...
