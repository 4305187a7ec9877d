"""Object masks from boxes: GrabCut seeded by each box, overlaps given to the object in front.

SEG's object masks. Each box is cut out with a margin (GrabCut needs surroundings as background),
downscaled, segmented with the box as the probable-foreground rectangle, and the mask is put back
at full resolution. A cut that keeps implausibly little of the box falls back to the box's central
ellipse. Where masks overlap, the pixel goes to the smaller object (a person in front of a bus is the
person's), as a panoptic segmentation would assign it.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from tools.types import Detections

WORK_SIDE = 160  # GrabCut resolution of one box (its cost grows with the pixel count)
MARGIN = 0.15  # of the box size around it, seen by GrabCut as background
MIN_SHARE = 0.2  # a cut keeping less of its box than this is distrusted
ITERATIONS = 3


def _ellipse(h: int, w: int, x1: int, y1: int, x2: int, y2: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    rx, ry = max(1.0, (x2 - x1) / 2), max(1.0, (y2 - y1) / 2)
    return (((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2) <= 0.8


def box_mask(rgb: np.ndarray, box: np.ndarray) -> np.ndarray:
    """(H, W) bool foreground mask of the object in ``box`` of a full-size RGB array."""
    h, w = rgb.shape[:2]
    x1, y1, x2, y2 = (float(v) for v in box)
    x1, y1, x2, y2 = max(0.0, x1), max(0.0, y1), min(float(w), x2), min(float(h), y2)
    out = np.zeros((h, w), bool)
    if x2 - x1 < 1 or y2 - y1 < 1:
        return out
    mx, my = MARGIN * (x2 - x1), MARGIN * (y2 - y1)
    cx1, cy1 = max(0, int(x1 - mx)), max(0, int(y1 - my))
    cx2, cy2 = min(w, int(np.ceil(x2 + mx))), min(h, int(np.ceil(y2 + my)))
    region = rgb[cy1:cy2, cx1:cx2]
    scale = min(1.0, WORK_SIDE / max(region.shape[:2]))
    small = cv2.resize(region, (max(1, round(region.shape[1] * scale)), max(1, round(region.shape[0] * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1.0 else region
    sh, sw = small.shape[:2]
    rx1, ry1 = int((x1 - cx1) * scale), int((y1 - cy1) * scale)
    rx2, ry2 = min(sw, int(round((x2 - cx1) * scale))), min(sh, int(round((y2 - cy1) * scale)))
    if rx1 <= 0 and ry1 <= 0 and rx2 >= sw and ry2 >= sh:  # the box is the whole picture: seed inside it
        inset_x, inset_y = max(1, sw // 20), max(1, sh // 20)
        rx1, ry1, rx2, ry2 = inset_x, inset_y, sw - inset_x, sh - inset_y
    inside = np.zeros((sh, sw), bool)
    inside[max(0, ry1):ry2, max(0, rx1):rx2] = True
    fallback = _ellipse(sh, sw, rx1, ry1, rx2, ry2) & inside
    fg = fallback
    if rx2 - rx1 >= 8 and ry2 - ry1 >= 8:
        mask = np.zeros((sh, sw), np.uint8)
        bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        try:
            cv2.grabCut(np.ascontiguousarray(small[:, :, ::-1]), mask, (rx1, ry1, rx2 - rx1, ry2 - ry1), bgd, fgd,
                        ITERATIONS, cv2.GC_INIT_WITH_RECT)
            cut = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)) & inside
            if cut.sum() >= MIN_SHARE * inside.sum():
                fg = cut
        except cv2.error:
            pass
    full = cv2.resize(fg.astype(np.uint8) * 255, (cx2 - cx1, cy2 - cy1), interpolation=cv2.INTER_LINEAR) > 127
    out[cy1:cy2, cx1:cx2] = full
    return out


def object_masks(image: Image.Image, dets: Detections) -> np.ndarray:
    """(N, H, W) bool masks of the boxes; each pixel belongs to at most one object (the smallest claiming it)."""
    rgb = np.asarray(image.convert("RGB"))
    h, w = rgb.shape[:2]
    masks = np.zeros((len(dets), h, w), bool)
    taken = np.zeros((h, w), bool)
    for i in np.argsort(dets.areas):  # small (usually front) objects first
        m = box_mask(rgb, dets.boxes[i])
        free = m & ~taken
        masks[i] = free if free.sum() >= 0.3 * max(1, m.sum()) else m  # mostly hidden: keep its own cut
        taken |= masks[i]
    return masks


def with_masks(image: Image.Image, dets: Detections) -> Detections:
    """``dets`` with object masks (computed from the boxes when it has none)."""
    if dets.masks is not None or not len(dets):
        return dets if dets.masks is not None else Detections(
            dets.boxes, dets.scores, dets.labels, dets.image_size, dets.source, dets.notes,
            np.zeros((0, dets.image_size[1], dets.image_size[0]), bool), dets.warnings)
    return Detections(dets.boxes, dets.scores, dets.labels, dets.image_size, dets.source, dets.notes,
                      object_masks(image, dets), dets.warnings)
