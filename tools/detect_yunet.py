"""YuNet face detector (OpenCV Zoo, MIT) through OpenCV's FaceDetectorYN: the default FACEDET.

The network is small (about 75k parameters) and takes the picture at any size; large photos are
scanned downscaled to ``max_side`` (faces smaller than about 10 px there are missed). Each face
comes with five landmarks, kept in the order of the boxes for callers that want them.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from agent.errors import ModelUnavailableError
from agent.file_assembly import sha256_file
from tools.types import Detections

YUNET_SHA256 = "ebafce4e3c118d6554634be5c27ab333b4c047a9a8c3faf1d7cf93101c22f0f0"


class YuNetFaces:
    source = "yunet"

    def __init__(self, path: Path | str, *, score_threshold: float = 0.8, nms_threshold: float = 0.3,
                 max_side: int = 1280, verify: bool = True) -> None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise ModelUnavailableError(
                f"YuNet face detector not found at {path}; set faces.path to face_detection_yunet.onnx "
                "(or put it in the model folder, config model_dir)",
                hint="OpenCV Zoo publishes the same file; or set faces.backend=haar (no weights needed)")
        if verify and path.name == "face_detection_yunet.onnx" and sha256_file(path) != YUNET_SHA256:
            raise ModelUnavailableError(f"{path}: sha256 does not match YuNet {YUNET_SHA256}; the file is damaged "
                                        "or a different model: copy face_detection_yunet.onnx again")
        try:
            self.net = cv2.FaceDetectorYN.create(str(path), "", (320, 320), score_threshold, nms_threshold, 5000)
        except cv2.error as exc:
            raise ModelUnavailableError(f"{path}: OpenCV cannot load it as a YuNet model: {str(exc)[:200]}") from None
        self.max_side = max_side
        self._lock = threading.Lock()  # the detector keeps its input size: one picture at a time

    def detect(self, img: Image.Image, kind: str = "face") -> Detections:
        """Faces with scores in (0, 1); ``kind`` other than 'face' finds nothing (YuNet knows faces only)."""
        if kind != "face":
            return Detections.empty(img.size, self.source, notes=(f"YuNet finds faces, not '{kind}'",))
        return self.faces_with_landmarks(img)[0]

    def faces_with_landmarks(self, img: Image.Image) -> tuple[Detections, np.ndarray]:
        """(faces best first, (N, 5, 2) landmarks: right eye, left eye, nose tip, mouth corners)."""
        bgr = np.ascontiguousarray(np.asarray(img.convert("RGB"))[:, :, ::-1])
        h, w = bgr.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        if scale < 1.0:
            bgr = cv2.resize(bgr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        with self._lock:
            self.net.setInputSize((bgr.shape[1], bgr.shape[0]))
            _, found = self.net.detect(bgr)
        if found is None or len(found) == 0:
            return Detections.empty(img.size, self.source), np.zeros((0, 5, 2), np.float32)
        found = np.asarray(found, dtype=np.float32) / np.array([scale] * 14 + [1.0], dtype=np.float32)
        boxes = np.concatenate([found[:, :2], found[:, :2] + found[:, 2:4]], axis=1)
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, w)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, h)
        order = np.argsort(-found[:, 14])
        dets = Detections(boxes[order], found[order, 14], tuple(["face"] * len(order)), img.size, self.source)
        return dets, found[order, 4:14].reshape(-1, 5, 2)
