"""Face and body detection with OpenCV's bundled Haar cascades (no weights to fetch)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from agent.errors import ModelUnavailableError
from tools.types import Detections

CASCADES = {
    "face": "haarcascade_frontalface_default.xml",
    "full body": "haarcascade_fullbody.xml",
    "upper body": "haarcascade_upperbody.xml",
}


class HaarFaces:
    source = "haar"

    def __init__(self, max_side: int = 800) -> None:
        base = Path(cv2.data.haarcascades)
        self.cascades: dict[str, cv2.CascadeClassifier] = {}
        for label, fname in CASCADES.items():
            cascade = cv2.CascadeClassifier(str(base / fname))
            if cascade.empty():
                raise ModelUnavailableError(f"OpenCV Haar cascade {base / fname} is missing",
                                            hint="install opencv-python 4.x, which ships the cascades")
            self.cascades[label] = cascade
        self.max_side = max_side  # Haar cost grows with pixels; large photos are scanned downscaled

    def detect(self, img: Image.Image, kind: str = "face") -> Detections:
        """``kind``: 'face', 'full body' or 'upper body'."""
        cascade = self.cascades[kind]
        gray = cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2GRAY)
        scale = min(1.0, self.max_side / max(gray.shape))
        if scale < 1.0:
            gray = cv2.resize(gray, (int(gray.shape[1] * scale), int(gray.shape[0] * scale)),
                              interpolation=cv2.INTER_AREA)
        gray = cv2.equalizeHist(gray)
        min_size = (24, 24) if kind == "face" else (32, 64)
        rects, _, weights = cascade.detectMultiScale3(gray, scaleFactor=1.1, minNeighbors=5, minSize=min_size,
                                                      outputRejectLevels=True)
        if len(rects) == 0:
            return Detections.empty(img.size, self.source)
        rects = np.asarray(rects, dtype=np.float32).reshape(-1, 4) / scale
        boxes = np.concatenate([rects[:, :2], rects[:, :2] + rects[:, 2:]], axis=1)
        # Haar gives level weights, not probabilities: squash to (0, 1) for a comparable score.
        scores = 1.0 / (1.0 + np.exp(-np.asarray(weights, dtype=np.float32).reshape(-1)))
        order = np.argsort(-scores)
        return Detections(boxes[order], scores[order], tuple([kind] * len(order)), img.size, self.source)
