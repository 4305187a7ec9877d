"""Colour/contour segmentation of simple scenes (icons, diagrams, renders, CLEVR-like pictures).

Pixels are labelled with colour names, the backdrop (the colour most of the border has) is
dropped, and each connected blob of one colour becomes a Region whose shape is read from its
contour. It is not meant for cluttered photographs: LOC is.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image

from tools.colors import COLOR_NAMES, label_pixels, rgb_to_lab
from tools.types import Region, Regions

MAX_SIDE = 384  # labelling is per pixel; larger pictures are segmented downscaled
MIN_SIDE = 256


def classify_shape(contour: np.ndarray) -> str:
    """circle, rectangle, triangle or other, from the polygon outline and how fully the shape fills the
    smallest enclosing triangle, rectangle and circle (robust for small, anti-aliased shapes)."""
    area = cv2.contourArea(contour)
    perimeter = cv2.arcLength(contour, True)
    if area <= 0 or perimeter <= 0:
        return "other"
    approx = cv2.approxPolyDP(contour, 0.04 * perimeter, True)
    circularity = 4 * math.pi * area / perimeter**2
    hull_area = cv2.contourArea(cv2.convexHull(contour))
    solidity = area / hull_area if hull_area > 0 else 0.0
    (_, _), (w, h), _ = cv2.minAreaRect(contour)
    rect_fill = area / (w * h) if w > 0 and h > 0 else 0.0
    tri_area, _ = cv2.minEnclosingTriangle(contour.astype(np.float32))
    tri_fill = area / tri_area if tri_area > 0 else 0.0
    (_, _), radius = cv2.minEnclosingCircle(contour)
    circle_fill = area / (math.pi * radius**2) if radius > 0 else 0.0
    if solidity < 0.85:
        return "other"
    if len(approx) == 3 or (tri_fill > 0.88 and tri_fill > rect_fill and tri_fill > circle_fill):
        return "triangle"
    if (len(approx) == 4 and rect_fill > 0.85) or (rect_fill > 0.92 and rect_fill > circle_fill):
        return "rectangle"
    if (circularity > 0.8 and solidity > 0.92) or circle_fill > 0.85:
        return "circle"
    return "other"


# Diagrams draw with standard named colours; a flat region within a small difference of one takes its name
# (CSS "brown" is a dark red a photo namer would call red).
NAMED_FLAT = {
    "red": (255, 0, 0), "maroon": (128, 0, 0), "orange": (255, 165, 0), "yellow": (255, 255, 0),
    "gold": (255, 215, 0), "green": (0, 128, 0), "lime": (0, 255, 0), "teal": (0, 128, 128), "cyan": (0, 255, 255),
    "blue": (0, 0, 255), "navy": (0, 0, 128), "purple": (128, 0, 128), "magenta": (255, 0, 255),
    "pink": (255, 192, 203), "brown": (165, 42, 42), "beige": (245, 245, 220), "black": (0, 0, 0),
    "white": (255, 255, 255), "gray": (128, 128, 128), "silver": (192, 192, 192),
}
_FLAT_ALIASES = {"maroon": "red", "lime": "green", "navy": "blue", "magenta": "pink", "silver": "gray"}
_FLAT_LAB = rgb_to_lab(np.array(list(NAMED_FLAT.values()), dtype=np.uint8))
FLAT_DELTA_E = 6.0


def flat_color_name(pixels: np.ndarray) -> str | None:
    """The standard colour name of a flat region ((N, 3) RGB), or None if it is not one flat named colour."""
    if len(pixels) == 0:
        return None
    lab = rgb_to_lab(np.median(pixels.reshape(-1, 3), axis=0).astype(np.uint8)[None])[0]
    dist = np.sqrt(((_FLAT_LAB - lab) ** 2).sum(1))
    best = int(dist.argmin())
    if dist[best] > FLAT_DELTA_E:
        return None
    name = list(NAMED_FLAT)[best]
    return _FLAT_ALIASES.get(name, name)


def segment(img: Image.Image, *, min_fraction: float = 0.001, min_pixels: int = 30) -> Regions:
    rgb_img = img.convert("RGB")
    # small pictures (icons, 64 px diagrams) are enlarged so that outlines of small shapes keep their corners
    longest = max(rgb_img.size)
    scale = min(4.0, MIN_SIDE / longest) if longest < MIN_SIDE else min(1.0, MAX_SIDE / longest)
    if scale > 1.0:
        rgb_img = rgb_img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.BILINEAR)
    elif scale < 1.0:
        rgb_img = rgb_img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                                 Image.Resampling.BOX)
    rgb = np.asarray(rgb_img)
    # A light blur merges anti-aliased edge pixels and sensor noise into their neighbours.
    rgb = cv2.medianBlur(rgb, 3) if min(rgb.shape[:2]) >= 3 else rgb
    labels = label_pixels(rgb)
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    background = int(np.bincount(border, minlength=len(COLOR_NAMES)).argmax())
    min_area = max(min_pixels * scale * scale, min_fraction * labels.size)
    kernel = np.ones((3, 3), np.uint8)
    # in enlarged pictures the anti-aliased rim around a shape (1 px before enlarging) is a thin ring of an
    # in-between colour: a component that a wider opening erases entirely is such a rim, not a shape
    side = 2 * int(math.ceil(scale)) + 1
    wide = np.ones((side, side), np.uint8) if scale > 1.0 else None
    found: list[Region] = []
    for index in np.unique(labels):
        if index == background:
            continue
        mask = cv2.morphologyEx((labels == index).astype(np.uint8), cv2.MORPH_OPEN, kernel)
        thick = cv2.morphologyEx(mask, cv2.MORPH_OPEN, wide) if wide is not None else mask
        n, comp, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for c in range(1, n):
            if stats[c, cv2.CC_STAT_AREA] < min_area:
                continue
            blob = (comp == c).astype(np.uint8)
            if not thick[blob.astype(bool)].any():
                continue
            contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
            contour = max(contours, key=cv2.contourArea)
            moments = cv2.moments(blob, binaryImage=True)
            if moments["m00"] == 0:
                continue
            x, y, w, h = (int(v) for v in stats[c, :4])
            found.append(Region(
                color=flat_color_name(rgb[blob.astype(bool)]) or COLOR_NAMES[int(index)],
                shape=classify_shape(contour),
                area=float(stats[c, cv2.CC_STAT_AREA]) / (scale * scale),
                bbox=(x / scale, y / scale, (x + w) / scale, (y + h) / scale),
                centroid=(moments["m10"] / moments["m00"] / scale, moments["m01"] / moments["m00"] / scale),
            ))
    found.sort(key=lambda r: -r.area)
    notes = (f"background colour {COLOR_NAMES[background]} ignored",)
    return Regions(tuple(found), img.size, notes)
