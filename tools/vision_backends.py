"""The vision backends: one registration line each, ``(kind, config value) -> "module:factory"``.

A factory takes ``(config, hub)`` and returns an object of the kind's Protocol
(:mod:`tools.protocols`: Detector, TextReader, FaceDetector, Classifier, VisionLanguageModel;
``hub`` lets one backend reuse another, as the CLIP classifier reuses the CLIP model). It is imported
only when its backend is chosen, so an unused backend's dependencies need not be installed.

A new detector, OCR, face or classifier backend is one module with such a factory plus one line
here; ``detector.backend = "mine"`` then selects it. If its weights are a local file, its
``ModelSpec`` (data) in ``agent/model_registry.py`` gives the file name, licence and checksum, and
``Config.model_file(backend)`` finds it in the model folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.config import Config
from agent.errors import ConfigError
from agent.plugins import load_callable

if TYPE_CHECKING:
    from tools.protocols import Models

# kind (also the Config section whose ``backend`` chooses) -> backend name -> "module:factory"
BACKENDS: dict[str, dict[str, str]] = {
    "detector": {
        "ultralytics": "tools.vision_loaders:ultralytics_detector",  # YOLOv8n ONNX (default), .pt, YOLO-World
        "yolox": "tools.vision_loaders:yolox_detector",  # YOLOX-Nano ONNX
        "ensemble": "tools.detect_ensemble:ensemble_detector",  # primary's boxes + its weak ones a second confirms
    },
    "faces": {
        "yunet": "tools.vision_loaders:yunet_faces",  # OpenCV's FaceDetectorYN (default)
        "haar": "tools.vision_loaders:haar_faces",  # OpenCV's bundled cascades, no weights file
    },
    "ocr": {
        "rapidocr": "tools.vision_loaders:rapid_ocr",
    },
    "classifier": {
        "efficientnet-lite0": "tools.vision_loaders:efficientnet_classifier",
        "clip": "tools.vision_loaders:clip_classifier",
    },
    "vqa": {
        "facts": "tools.vision_loaders:no_vlm",  # VQA/CAPTION answered by the LLM from tool facts
        "transformers": "tools.vision_loaders:transformers_vlm",
    },
}


def backend_names(kind: str) -> list[str]:
    """The registered backends of ``kind`` (for error messages and settings)."""
    return list(BACKENDS.get(kind, {}))


def load_backend(kind: str, config: Config, hub: Models) -> object:
    """Build the configured backend of ``kind``; an unknown name is a ConfigError naming the setting."""
    if kind not in BACKENDS:
        raise ConfigError(f"unknown vision backend kind {kind!r}; known: {', '.join(BACKENDS)}")
    name = getattr(config, kind).backend
    target = BACKENDS[kind].get(name)
    if target is None:
        names = backend_names(kind)
        choices = " or ".join(repr(n) for n in names) if len(names) <= 2 else ", ".join(repr(n) for n in names)
        raise ConfigError(f"unknown {kind}.backend {name!r}; use {choices}")
    return load_callable(target, f"{kind} backend")(config, hub)
