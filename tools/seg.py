"""SEG: VisProg's segmentation module, labelled objects and regions with pixel masks.

VisProg runs a panoptic MaskFormer (hub weights). Offline, the objects are the detector's (COCO
classes) with GrabCut masks seeded by their boxes (tools/masks.py), and the stuff regions, sky,
trees, grass, water, road and wall, come from colour and texture rules (tools/stuff.py). The
result is one Detections with masks, so SELECT, COLORPOP, BGBLUR, EMOJI and REPLACE take it as is.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from tools.masks import object_masks
from tools.registry import tool
from tools.runtime import cached, detect_all
from tools.stuff import stuff_masks
from tools.types import Detections

MAX_OBJECTS = 20
STUFF_SCORE = 0.5  # rule-based regions: a fixed, middling confidence


def _mask_box(mask: np.ndarray) -> list[float]:
    ys, xs = np.nonzero(mask)
    return [float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)]


def segment_scene(ctx, image: Image.Image) -> Detections:
    dets = detect_all(ctx, image)
    dets = dets[np.argsort(-dets.scores)[:MAX_OBJECTS]] if len(dets) else dets
    w, h = image.size
    masks = object_masks(image, dets) if len(dets) else np.zeros((0, h, w), bool)
    keep = [i for i in range(len(dets)) if masks[i].any()]
    stuff = stuff_masks(image, masks.any(axis=0) if len(masks) else None)
    boxes = [_mask_box(masks[i]) for i in keep] + [_mask_box(m) for _, m in stuff]
    scores = [float(dets.scores[i]) for i in keep] + [STUFF_SCORE] * len(stuff)
    labels = tuple(dets.labels[i] for i in keep) + tuple(label for label, _ in stuff)
    all_masks = np.concatenate([masks[keep], np.array([m for _, m in stuff], dtype=bool).reshape(-1, h, w)])
    notes = (f"objects: {dets.source or 'detector'} boxes with GrabCut masks; regions (sky, tree, grass, water, "
             "road, wall): colour and texture rules",)
    return Detections(np.array(boxes, dtype=np.float32).reshape(-1, 4), scores, labels, (w, h), "seg", notes,
                      all_masks)


@tool("SEG")
def seg(ctx, image: Image.Image) -> Detections:
    """Segment the image into labelled objects and regions with pixel masks (VisProg's SEG): detector classes such
    as 'person' or 'bus', and 'sky', 'tree', 'grass', 'water', 'road', 'wall'.

    Args:
        image: the image to segment; pick parts of the result with SELECT.
    """
    cfg = ctx.config.detector
    args = (cfg.backend, str(ctx.config.detector_path or cfg.path), cfg.score_threshold, MAX_OBJECTS)
    return cached(ctx, image, "seg", args, lambda: segment_scene(ctx, image))
