"""Canonical result types shared by every tool (one type per concept)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np


@dataclass(frozen=True)
class Detections:
    """Objects found in one image, in that image's pixel coordinates (x1, y1, x2, y2).

    Modelled on supervision's ``Detections``: arrays, not lists of objects, so filtering
    and sorting stay vectorised. ``source`` names the backend for the trace. The same type
    carries VisProg's object lists: ``masks`` (SEG's pixel masks, one per object, at the
    image's size) and labels that CLASSIFY rewrites into tags; ``warnings`` are shown in the
    trace (e.g. faces left untagged because naming them needs CLIP).
    """

    boxes: np.ndarray  # (N, 4) float32, xyxy
    scores: np.ndarray  # (N,) float32
    labels: tuple[str, ...]
    image_size: tuple[int, int]  # (width, height) of the image the boxes live in
    source: str = ""
    notes: tuple[str, ...] = ()  # e.g. "query 'zebra crossing' is outside the detector vocabulary"
    masks: np.ndarray | None = None  # (N, height, width) bool, or None for boxes only
    warnings: tuple[str, ...] = ()  # what the step could not do; the trace lists them

    def __post_init__(self) -> None:
        boxes = np.asarray(self.boxes, dtype=np.float32).reshape(-1, 4)
        scores = np.asarray(self.scores, dtype=np.float32).reshape(-1)
        if len(boxes) != len(scores) or len(boxes) != len(self.labels):
            raise ValueError("boxes, scores and labels must have the same length")
        object.__setattr__(self, "boxes", boxes)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "labels", tuple(self.labels))
        object.__setattr__(self, "image_size", (int(self.image_size[0]), int(self.image_size[1])))
        if self.masks is not None:
            masks = np.asarray(self.masks, dtype=bool)
            w, h = self.image_size
            if masks.ndim == 2 and len(boxes) == 1:
                masks = masks[None]
            if masks.shape != (len(boxes), h, w):
                raise ValueError(f"masks must have shape (N, height, width) = {(len(boxes), h, w)}, got {masks.shape}")
            object.__setattr__(self, "masks", masks)
        object.__setattr__(self, "warnings", tuple(self.warnings))

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
            None if self.masks is None else self.masks[idx], self.warnings,
        )

    def with_notes(self, *notes: str) -> Detections:
        return replace(self, notes=self.notes + notes)

    def with_warnings(self, *warnings: str) -> Detections:
        return replace(self, warnings=self.warnings + warnings)

    def relabelled(self, labels: Sequence[str], scores: Sequence[float] | np.ndarray) -> Detections:
        """The same objects (boxes, masks) under new labels and scores: CLASSIFY's tags."""
        return replace(self, labels=tuple(labels), scores=np.asarray(scores, dtype=np.float32))

    def mask(self, i: int) -> np.ndarray:
        """Object ``i``'s pixels as an (height, width) bool array: its mask, or its filled box."""
        if self.masks is not None:
            return self.masks[i]
        w, h = self.image_size
        out = np.zeros((h, w), bool)
        x1, y1, x2, y2 = self.boxes[i]
        out[max(0, int(y1)):max(0, int(np.ceil(y2))), max(0, int(x1)):max(0, int(np.ceil(x2)))] = True
        return out

    def resized(self, size: tuple[int, int]) -> Detections:
        """The same objects in an image resized to ``size`` (width, height): boxes scaled, masks resampled."""
        w, h = self.image_size
        sx, sy = size[0] / max(1, w), size[1] / max(1, h)
        masks = None
        if self.masks is not None:
            ys = np.minimum((np.arange(size[1]) / sy).astype(int), h - 1)
            xs = np.minimum((np.arange(size[0]) / sx).astype(int), w - 1)
            masks = self.masks[:, ys][:, :, xs]
        return replace(self, boxes=self.boxes * np.array([sx, sy, sx, sy], dtype=np.float32), image_size=size,
                       masks=masks)

    @property
    def facts(self) -> list[str] | None:
        """Warnings for the trace (None when there are none)."""
        return [f"warning: {w}" for w in self.warnings] or None

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
            **({"mask_pixels": [int(m.sum()) for m in self.masks]} if self.masks is not None else {}),
            **({"warnings": list(self.warnings)} if self.warnings else {}),
        }

    def summary(self) -> str:
        kind = "boxes" if self.masks is None else "objects with masks"
        warned = f" (warning: {'; '.join(self.warnings)})" if self.warnings else ""
        if not len(self):
            return f"no {kind}" + (f" ({'; '.join(self.notes)})" if self.notes else "") + warned
        counts: dict[str, int] = {}
        for label in self.labels:
            counts[label] = counts.get(label, 0) + 1
        if len(self) == 1:
            kind = "box" if self.masks is None else "object with a mask"
        return f"{len(self)} {kind}: " + ", ".join(f"{n} {label}" for label, n in counts.items()) + warned


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
