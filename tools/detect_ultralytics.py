"""Ultralytics detectors: closed-set YOLO (.pt/.yaml) and open-vocabulary YOLO-World / YOLOE.

Weights are taken from a local path only; a bare name such as 'yolo11n.pt' that is not a
file would make ultralytics download it, so it is refused. Bundled ``.yaml`` architectures
(random weights) are allowed: they are what the tests use.

A ``.pt`` file is a pickle: loading it the ordinary way (``weights_only=False``, ultralytics'
default) runs whatever code it holds. Here it is always loaded with ultralytics' restricted loader
(the ``ULTRALYTICS_SAFE_LOAD`` mode: ``torch.load(weights_only=True)`` against an allow-list of
model classes, and model construction without ``eval``), forced for this load whatever the
environment says. A torch or ultralytics too old for that refuses ``.pt`` files outright.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path

import numpy as np
from PIL import Image

from agent.errors import ModelUnavailableError
from tools.types import Detections

_SAFE_LOAD_LOCK = threading.Lock()


def is_open_vocabulary(path: str) -> bool:
    name = Path(path).name.lower()
    return "world" in name or "yoloe" in name


class UltralyticsDetector:
    def __init__(self, path: str, *, score_threshold: float = 0.3, nms_threshold: float = 0.45,
                 imgsz: int = 640) -> None:
        from ultralytics import YOLO
        from ultralytics.utils import LOGGER

        LOGGER.setLevel(logging.WARNING)  # not "Loading ... for ONNX Runtime inference" on every start
        p = Path(path).expanduser()
        if p.suffix.lower() != ".yaml" and not p.is_file():
            raise ModelUnavailableError(
                f"ultralytics weights not found at {p}",
                hint="download the .pt file once on a machine with internet and set detector.path to it")
        self.open_vocabulary = is_open_vocabulary(str(p))
        if p.suffix.lower() == ".pt":
            self.model = load_pt_safely(p)
        else:  # an exported .onnx (its metadata carries the class names) or a bundled .yaml architecture
            task = "detect" if p.suffix.lower() == ".onnx" else None
            self.model = YOLO(str(p) if p.is_file() else p.name, task=task, verbose=False)
        self.source = f"ultralytics:{p.name}"
        self.score_threshold = score_threshold
        self.nms_threshold = nms_threshold
        self.imgsz = imgsz
        self._lock = threading.Lock()  # set_classes mutates the model: one query at a time
        self._classes: tuple[str, ...] | None = None

    @property
    def vocabulary(self) -> tuple[str, ...] | None:
        """The fixed label set, or None for open-vocabulary models (they are told what to find)."""
        if self.open_vocabulary:
            return None
        names = self.model.names
        return tuple(names[i] for i in sorted(names))

    def detect(self, img: Image.Image, classes: list[str] | None = None) -> Detections:
        rgb = np.asarray(img.convert("RGB"))
        with self._lock:
            if self.open_vocabulary and classes and tuple(classes) != self._classes:
                self.model.set_classes(list(classes))
                self._classes = tuple(classes)
            # ultralytics treats numpy input as BGR (OpenCV convention)
            results = self.model.predict(rgb[:, :, ::-1], conf=self.score_threshold, iou=self.nms_threshold,
                                         imgsz=self.imgsz, verbose=False)
        return results_to_detections(results[0], img.size, self.source)


@contextlib.contextmanager
def _restricted_loading():
    """ultralytics' opt-in safe loading, switched on for one load (and back to what it was after)."""
    import torch
    from ultralytics.nn import tasks

    if not hasattr(tasks, "SAFE_LOAD") or not hasattr(torch.serialization, "get_unsafe_globals_in_checkpoint"):
        raise ModelUnavailableError(
            "this ultralytics/torch cannot load .pt weights without running the code a pickle may hold",
            hint="upgrade to ultralytics>=8.4 and torch>=2.6, or export the detector to ONNX")
    with _SAFE_LOAD_LOCK:
        saved = tasks.SAFE_LOAD
        tasks.SAFE_LOAD = True  # read at call time by torch_safe_load and the no-eval model builder
        try:
            yield
        finally:
            tasks.SAFE_LOAD = saved


def load_pt_safely(path: Path):
    """A YOLO model from a ``.pt`` checkpoint, unpickled with ``weights_only=True`` and ultralytics' allow-list.

    A checkpoint referencing anything else (a pickle payload, an unknown class) is refused with
    ModelUnavailableError; nothing in it runs.
    """
    import pickle

    from ultralytics import YOLO

    with _restricted_loading():
        try:
            return YOLO(str(path), verbose=False)
        except (TypeError, pickle.UnpicklingError, ModuleNotFoundError, AttributeError, RuntimeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelUnavailableError(
                f"{path}: refused to load these .pt weights: {first[:300]}",
                hint="only ultralytics checkpoints made of known model classes load; a .pt file can run code") from None


def results_to_detections(result, image_size: tuple[int, int], source: str) -> Detections:
    """Convert an ultralytics ``Results`` to Detections, best first."""
    boxes = result.boxes
    if boxes is None or len(boxes) == 0:
        return Detections.empty(image_size, source)
    xyxy = boxes.xyxy.cpu().numpy().astype(np.float32)
    scores = boxes.conf.cpu().numpy().astype(np.float32)
    classes = boxes.cls.cpu().numpy().astype(int)
    names = result.names
    order = np.argsort(-scores)
    return Detections(xyxy[order], scores[order], tuple(str(names[int(classes[i])]) for i in order),
                      image_size, source)
