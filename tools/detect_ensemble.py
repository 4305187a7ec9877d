"""Two detectors as one: the primary's boxes, plus its weak boxes that a second detector confirms.

Both networks run at a low candidate threshold. Every primary box at or above ``score_threshold``
is kept as it is (so the primary's answers never lose a box). A weaker primary box is added
only when the second detector has a box of the same class over the same object (IoU at least
``match_iou``, COCO's matching criterion) and the two scores together, combined as independent
evidence (noisy-OR, ``1 - (1 - p)(1 - q)``), reach ``score_threshold``. The added box scores
``score_threshold`` itself, below every box the primary found on its own: the two networks learnt
from the same data and err together (both call skimage's horse silhouette a person), so agreement is
not independent evidence, and a tool taking "the best box" (COLOR) should still take the primary's
(on zidane.jpg the noisy-OR 0.39 outranked the primary's own 0.32 tie). A box only the second
detector sees is never added: it would bring that detector's own false positives along (on
zidane.jpg YOLOX-Nano reports a second, shifted box over the same tie at 0.33).

This is a class-wise fusion of two detectors' outputs, with the primary as the anchor; it costs one
run of each network per image.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from agent.errors import ConfigError
from tools.types import Detections

if TYPE_CHECKING:
    from agent.config import Config
    from tools.protocols import Detector, Models


# An added box lying this much (or more) inside a kept box of its class is taken for a piece of that
# object (a wheel of the motorcycle, half of the cat), not a second one, and is not added.
MAX_INSIDE = 0.5


def _overlap(box: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(IoU, share of ``box`` inside) of one xyxy box against each of ``boxes`` (N, 4)."""
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32)
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9), inter / max(float(area), 1e-9)


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one xyxy box against each of ``boxes`` (N, 4)."""
    return _overlap(box, boxes)[0]


def box_inside(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """The share of ``box``'s area inside each of ``boxes`` (N, 4)."""
    return _overlap(box, boxes)[1]


def confirm(primary: Detections, second: Detections, *, score_threshold: float,
            match_iou: float = 0.5) -> Detections:
    """The primary's boxes at or above the threshold, plus its weaker ones the second detector confirms.

    A confirmed box keeps the primary's box and label and scores ``score_threshold`` (confirmed boxes
    come after the primary's own, in the order of their noisy-OR scores).
    Each second-detector box confirms at most one primary box (the strongest that matches it), and a
    box mostly inside (``MAX_INSIDE``) a kept box of the same class is not added.
    """
    strong = [i for i in range(len(primary)) if primary.scores[i] >= score_threshold]
    weak = sorted((i for i in range(len(primary)) if primary.scores[i] < score_threshold),
                  key=lambda i: -primary.scores[i])
    used: set[int] = set()
    added: list[tuple[int, float]] = []
    for i in weak:
        same = [j for j in range(len(second)) if second.labels[j] == primary.labels[i] and j not in used]
        if not same:
            continue
        ious = box_iou(primary.boxes[i], second.boxes[same])
        best = int(np.argmax(ious))
        if ious[best] < match_iou:
            continue
        j = same[best]
        fused = 1.0 - (1.0 - float(primary.scores[i])) * (1.0 - float(second.scores[j]))
        kept = [k for k in strong + [a for a, _ in added] if primary.labels[k] == primary.labels[i]]
        inside = box_inside(primary.boxes[i], primary.boxes[kept])
        if fused >= score_threshold and not (inside >= MAX_INSIDE).any():
            used.add(j)
            added.append((i, fused))
    strong.sort(key=lambda i: -primary.scores[i])
    added.sort(key=lambda a: -a[1])
    idx = strong + [i for i, _ in added]
    scores = [float(primary.scores[i]) for i in strong] + [score_threshold] * len(added)
    source = f"{primary.source}+{second.source}"
    if not idx:
        return Detections.empty(primary.image_size, source, primary.notes)
    return Detections(primary.boxes[idx], np.asarray(scores), tuple(primary.labels[i] for i in idx),
                      primary.image_size, source, primary.notes)


class ConfirmedDetector:
    """A Detector: ``primary`` and ``second`` (both built with a low candidate threshold), fused by :func:`confirm`."""

    def __init__(self, primary: Detector, second: Detector, *, score_threshold: float = 0.3,
                 match_iou: float = 0.5) -> None:
        self.primary = primary
        self.second = second
        self.score_threshold = score_threshold
        self.match_iou = match_iou

    @property
    def vocabulary(self) -> Sequence[str] | None:
        return self.primary.vocabulary

    @property
    def source(self) -> str:
        return f"{getattr(self.primary, 'source', '?')}+{getattr(self.second, 'source', '?')}"

    def detect(self, img: Image.Image, classes: list[str] | None = None) -> Detections:
        first = self.primary.detect(img, classes)
        if len(first) == 0 or bool((first.scores >= self.score_threshold).all()):
            return first  # nothing weak to confirm: the second network need not run
        return confirm(first, self.second.detect(img, classes), score_threshold=self.score_threshold,
                       match_iou=self.match_iou)


def ensemble_detector(config: Config, hub: Models) -> Detector:
    """``detector.backend = "ensemble"``: ``ensemble_primary`` confirmed by ``ensemble_second``.

    Both are built as their own backends with ``detector.score_threshold`` lowered to
    ``ensemble_floor``; ``detector.path`` (or $VISREASON_DETECTOR), if set, is the primary's weights,
    the second detector's come from the model folder.
    """
    from tools.vision_backends import load_backend

    cfg = config.detector
    names = (cfg.ensemble_primary, cfg.ensemble_second)
    if "ensemble" in names:
        raise ConfigError("detector.ensemble_primary and ensemble_second must be single detectors, not 'ensemble'")
    if not 0.0 < cfg.ensemble_floor <= cfg.score_threshold:
        raise ConfigError(f"detector.ensemble_floor must be in (0, score_threshold={cfg.score_threshold}], "
                          f"got {cfg.ensemble_floor}")
    second_path = config.model_file(cfg.ensemble_second)
    if second_path is None:  # the default backend must not fail where only the primary's file is installed
        warnings.warn(f"detector.backend=ensemble: no {cfg.ensemble_second} weights in the model folder "
                      f"{config.model_dir_path}; detecting with {cfg.ensemble_primary} alone", stacklevel=2)
        return load_backend("detector", config.replace(**{"detector.backend": cfg.ensemble_primary}), hub)  # type: ignore[return-value]

    def build(name: str, path: str) -> Detector:
        sub = config.replace(**{"detector.backend": name, "detector.path": path,
                                "detector.score_threshold": cfg.ensemble_floor})
        return load_backend("detector", sub, hub)  # type: ignore[return-value]

    return ConfirmedDetector(build(cfg.ensemble_primary, cfg.path),
                             build(cfg.ensemble_second, str(second_path) if second_path else ""),
                             score_threshold=cfg.score_threshold, match_iou=cfg.ensemble_iou)
