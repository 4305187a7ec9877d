"""Ultralytics detectors: closed-set YOLO (.pt/.yaml) and open-vocabulary YOLO-World / YOLOE.

Weights are taken from a local path only; a bare name such as 'yolo11n.pt' that is not a
file would make ultralytics download it, so it is refused. Bundled ``.yaml`` architectures
(random weights) are allowed: they are what the tests use.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PIL import Image

from agent.errors import ModelUnavailableError
from tools.types import Detections


def is_open_vocabulary(path: str) -> bool:
    name = Path(path).name.lower()
    return "world" in name or "yoloe" in name


class UltralyticsDetector:
    def __init__(self, path: str, *, score_threshold: float = 0.3, nms_threshold: float = 0.45,
                 imgsz: int = 640) -> None:
        from ultralytics import YOLO

        p = Path(path).expanduser()
        if p.suffix.lower() != ".yaml" and not p.is_file():
            raise ModelUnavailableError(
                f"ultralytics weights not found at {p}",
                hint="download the .pt file once on a machine with internet and set detector.path to it")
        self.open_vocabulary = is_open_vocabulary(str(p))
        self.model = YOLO(str(p) if p.is_file() else p.name, verbose=False)
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
