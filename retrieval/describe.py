"""Textual descriptions of KB images, so text questions can find images.

``ToolDescriber`` asks the configured vision tools (detector, classifier, OCR) what they see
and adds the dominant colours and any caption sidecar. A describer is any callable
``(image, caption) -> str``; the KB takes one by injection so it can be swapped (a VLM
captioner) or faked in tests. A tool that is unavailable is skipped, not fatal: the
description then says less, and the reason is kept in the text for the trace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PIL import Image

from agent.config import Config
from agent.errors import VisreasonError
from tools.colors import dominant_colors, inner_crop


class Describer(Protocol):
    def __call__(self, image: Image.Image, caption: str = "") -> str: ...


class ToolDescriber:
    def __init__(self, config: Config, hub=None, *, use_ocr: bool = True) -> None:
        self.config = config
        self._hub = hub
        self.use_ocr = use_ocr

    @property
    def hub(self):
        if self._hub is None:
            from tools.models import ModelHub

            self._hub = ModelHub.shared(self.config)
        return self._hub

    def __call__(self, image: Image.Image, caption: str = "") -> str:
        parts: list[str] = []
        if caption.strip():
            parts.append(f"Caption: {caption.strip()}")
        parts.append(self._safely("Objects", self._objects, image))
        parts.append(self._safely("Looks like", self._classes, image))
        if self.use_ocr:
            parts.append(self._safely("Text in image", self._text, image))
        parts.append(f"Main colours: {', '.join(dominant_colors(image.convert('RGB')))}.")
        return " ".join(p for p in parts if p)

    @staticmethod
    def _safely(label: str, fn: Callable[[Image.Image], str], image: Image.Image) -> str:
        try:
            found = fn(image)
        except (VisreasonError, ImportError, OSError, RuntimeError) as exc:
            return f"({label.lower()} unavailable: {type(exc).__name__})"
        return f"{label}: {found}." if found else ""

    def _objects(self, image: Image.Image) -> str:
        """Counts per label, with the colour of each label's largest box ("1 bus (blue)"): a whole-image
        colour names the street, not the bus, and colour is often what links a photo to a document."""
        dets = self.hub.detector().detect(image)
        rgb = image.convert("RGB")
        counts: dict[str, int] = {}
        for label in dets.labels:
            counts[label] = counts.get(label, 0) + 1
        parts = []
        for label, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            colours = dominant_colors(inner_crop(rgb, dets.largest(label)), k=1)
            parts.append(f"{n} {label}" + (f" ({colours[0]})" if colours else ""))
        return ", ".join(parts)

    def _classes(self, image: Image.Image) -> str:
        clf = self.hub.classifier()
        top = clf.classify(image, 3) if hasattr(clf, "classify") else clf.topk(image, 3)
        names = []
        for entry in top:  # (label, score) pairs or objects with .label
            label = entry[0] if isinstance(entry, (tuple, list)) else getattr(entry, "label", str(entry))
            names.append(str(label))
        return ", ".join(names)

    def _text(self, image: Image.Image) -> str:
        lines = self.hub.ocr().read(image)
        return " ".join(line.text for line in lines)[:300]


def caption_only(image: Image.Image, caption: str = "") -> str:
    """A describer that uses no model: the caption sidecar plus colours (fast, for tests and demos)."""
    colours = ", ".join(dominant_colors(image.convert("RGB")))
    return (f"Caption: {caption.strip()} " if caption.strip() else "") + f"Main colours: {colours}."
