"""YOLOX-Nano object detector on onnxruntime (the offline default).

The network takes a 416x416 BGR 0-255 letterboxed picture (pad value 114, image at the top
left) and predicts, on grids of stride 8/16/32, raw (cx, cy, w, h) offsets, objectness and 80
class scores; ``_decode`` turns those into image-space boxes.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from agent.errors import ModelUnavailableError
from agent.file_assembly import sha256_file
from tools.types import Detections

YOLOX_NANO_SHA256 = "e8af074932d4ed7e232278e3055cefcdea3edf178874a3694ae292649fb464dd"
INPUT_SIZE = 416
STRIDES = (8, 16, 32)


def letterbox(img: np.ndarray, size: int = INPUT_SIZE) -> tuple[np.ndarray, float]:
    """Resize keeping aspect ratio into a size x size canvas padded with 114; returns (canvas, ratio)."""
    h, w = img.shape[:2]
    ratio = min(size / h, size / w)
    nh, nw = max(1, int(round(h * ratio))), max(1, int(round(w * ratio)))
    canvas = np.full((size, size, 3), 114, dtype=np.uint8)
    canvas[:nh, :nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return canvas, ratio


def _grids(size: int = INPUT_SIZE) -> tuple[np.ndarray, np.ndarray]:
    grids, strides = [], []
    for stride in STRIDES:
        n = size // stride
        xv, yv = np.meshgrid(np.arange(n), np.arange(n))
        grids.append(np.stack((xv, yv), 2).reshape(-1, 2))
        strides.append(np.full((n * n, 1), stride))
    return np.concatenate(grids).astype(np.float32), np.concatenate(strides).astype(np.float32)


def nms_per_class(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou: float) -> np.ndarray:
    """Indices kept by non-maximum suppression done separately for each class."""
    keep: list[int] = []
    for cls in np.unique(classes):
        idx = np.where(classes == cls)[0]
        rects = [[float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])] for b in boxes[idx]]
        kept = cv2.dnn.NMSBoxes(rects, scores[idx].astype(float).tolist(), 0.0, iou)
        keep.extend(idx[np.asarray(kept, dtype=int).reshape(-1)].tolist())
    keep.sort(key=lambda i: -scores[i])
    return np.asarray(keep, dtype=int)


class YoloxDetector:
    source = "yolox-nano"

    def __init__(self, path: Path, *, score_threshold: float = 0.3, nms_threshold: float = 0.45,
                 verify: bool = True, threads: int = 2) -> None:
        import onnxruntime as ort

        path = Path(path)
        if not path.is_file():
            raise ModelUnavailableError(
                f"YOLOX detector not found at {path}; set detector.path (or VISREASON_DETECTOR) to "
                "yolox_nano.onnx (or put it in the model folder, config model_dir)",
                hint="the YOLOX project's release assets have the same network; check its sha256")
        if verify and path.name == "yolox_nano.onnx":
            digest = sha256_file(path)
            if digest != YOLOX_NANO_SHA256:
                raise ModelUnavailableError(
                    f"{path}: sha256 {digest} does not match YOLOX-Nano {YOLOX_NANO_SHA256}; the file is damaged "
                    "or a different model: copy yolox_nano.onnx again")
        from tools.vocabulary import COCO_LABELS, canonical

        names_file = path.with_name("coco.names")
        if names_file.is_file():
            # This coco.names uses VOC spellings ("motorbike", "diningtable"); report COCO's names.
            names = [n.strip() for n in names_file.read_text().splitlines() if n.strip()]
            self.labels = tuple(canonical(n) or n for n in names)
        else:
            self.labels = COCO_LABELS
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.score_threshold = score_threshold
        self.nms_threshold = nms_threshold
        self._grid, self._stride = _grids()

    @property
    def vocabulary(self) -> tuple[str, ...]:
        return self.labels

    def detect(self, img: Image.Image, classes: list[str] | None = None) -> Detections:
        """All boxes above the score threshold (``classes`` is ignored: the vocabulary is fixed)."""
        rgb = np.asarray(img.convert("RGB"))
        canvas, ratio = letterbox(rgb[:, :, ::-1])  # the network was trained on BGR
        blob = canvas.transpose(2, 0, 1)[None].astype(np.float32)
        out = self.session.run(None, {self.input_name: blob})[0][0]
        return self._decode(out, ratio, img.size)

    def _decode(self, out: np.ndarray, ratio: float, size: tuple[int, int]) -> Detections:
        xy = (out[:, :2] + self._grid) * self._stride
        wh = np.exp(np.clip(out[:, 2:4], -10, 10)) * self._stride
        cls_scores = out[:, 5:] * out[:, 4:5]
        cls = cls_scores.argmax(1)
        score = cls_scores[np.arange(len(cls)), cls]
        mask = score >= self.score_threshold
        if not mask.any():
            return Detections.empty(size, self.source)
        xy, wh, cls, score = xy[mask], wh[mask], cls[mask], score[mask]
        boxes = np.concatenate([xy - wh / 2, xy + wh / 2], axis=1) / ratio
        w, h = size
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, w)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, h)
        keep = nms_per_class(boxes, score, cls, self.nms_threshold)
        return Detections(boxes[keep], score[keep], tuple(self.labels[c] for c in cls[keep]), size, self.source)
