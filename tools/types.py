"""Canonical result types shared by every tool (one type per concept)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Detections:
    """Boxes found in one image, in that image's pixel coordinates (x1, y1, x2, y2).

    Modelled on supervision's ``Detections``: arrays, not lists of objects, so filtering
    and sorting stay vectorised. ``source`` names the backend for the trace.
    """

    boxes: np.ndarray  # (N, 4) float32, xyxy
    scores: np.ndarray  # (N,) float32
    labels: tuple[str, ...]
    image_size: tuple[int, int]  # (width, height) of the image the boxes live in
    source: str = ""
    notes: tuple[str, ...] = ()  # e.g. "query 'zebra crossing' is outside the detector vocabulary"

    def __post_init__(self) -> None:
        boxes = np.asarray(self.boxes, dtype=np.float32).reshape(-1, 4)
        scores = np.asarray(self.scores, dtype=np.float32).reshape(-1)
        if len(boxes) != len(scores) or len(boxes) != len(self.labels):
            raise ValueError("boxes, scores and labels must have the same length")
        object.__setattr__(self, "boxes", boxes)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "labels", tuple(self.labels))

    @classmethod
    def empty(cls, image_size: tuple[int, int], source: str = "", notes: tuple[str, ...] = ()) -> Detections:
        return cls(np.zeros((0, 4)), np.zeros(0), (), image_size, source, notes)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index) -> Detections:
        idx = np.arange(len(self))[index]
        idx = np.atleast_1d(idx)
        return Detections(
            self.boxes[idx], self.scores[idx], tuple(self.labels[i] for i in idx),
            self.image_size, self.source, self.notes,
        )

    def with_notes(self, *notes: str) -> Detections:
        return Detections(self.boxes, self.scores, self.labels, self.image_size, self.source, self.notes + notes)

    @property
    def centers(self) -> np.ndarray:
        return np.stack([(self.boxes[:, 0] + self.boxes[:, 2]) / 2, (self.boxes[:, 1] + self.boxes[:, 3]) / 2], axis=1)

    @property
    def areas(self) -> np.ndarray:
        return (self.boxes[:, 2] - self.boxes[:, 0]) * (self.boxes[:, 3] - self.boxes[:, 1])

    def largest(self, label: str) -> np.ndarray | None:
        """The biggest box labelled ``label`` (case-insensitive), or None."""
        wanted = label.strip().lower()
        idx = [i for i, name in enumerate(self.labels) if name.lower() == wanted]
        return self.boxes[max(idx, key=lambda i: self.areas[i])] if idx else None

    def to_dict(self) -> dict:
        return {
            "boxes": [[round(float(v), 1) for v in b] for b in self.boxes],
            "scores": [round(float(s), 3) for s in self.scores],
            "labels": list(self.labels),
            "image_size": list(self.image_size),
            "source": self.source,
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        if not len(self):
            return "no boxes" + (f" ({'; '.join(self.notes)})" if self.notes else "")
        counts: dict[str, int] = {}
        for label in self.labels:
            counts[label] = counts.get(label, 0) + 1
        return f"{len(self)} boxes: " + ", ".join(f"{n} {label}" for label, n in counts.items())


@dataclass(frozen=True)
class Region:
    """One segmented region of a simple scene (icon, diagram, render, document)."""

    color: str
    shape: str  # circle | rectangle | triangle | other
    area: float  # pixels
    bbox: tuple[float, float, float, float]  # xyxy
    centroid: tuple[float, float]

    def to_dict(self) -> dict:
        return {
            "color": self.color, "shape": self.shape, "area": round(self.area, 1),
            "bbox": [round(v, 1) for v in self.bbox], "centroid": [round(v, 1) for v in self.centroid],
        }


@dataclass(frozen=True)
class Regions:
    regions: tuple[Region, ...]
    image_size: tuple[int, int]
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.regions)

    def to_dict(self) -> dict:
        return {"regions": [r.to_dict() for r in self.regions], "image_size": list(self.image_size)}

    def summary(self) -> str:
        if not self.regions:
            return "no regions"
        return f"{len(self)} regions: " + ", ".join(f"{r.color} {r.shape}" for r in self.regions[:12])
