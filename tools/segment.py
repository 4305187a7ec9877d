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

from tools.colors import COLOR_NAMES, label_pixels
from tools.types import Region, Regions

MAX_SIDE = 384  # labelling is per pixel; larger pictures are segmented downscaled


def classify_shape(contour: np.ndarray) -> str:
    area = cv2.contourArea(contour)
    perimeter = cv2.arcLength(contour, True)
    if area <= 0 or perimeter <= 0:
        return "other"
    approx = cv2.approxPolyDP(contour, 0.04 * perimeter, True)
    circularity = 4 * math.pi * area / perimeter**2
    hull_area = cv2.contourArea(cv2.convexHull(contour))
    solidity = area / hull_area if hull_area > 0 else 0.0
    if len(approx) == 3 and solidity > 0.9:
        return "triangle"
    if len(approx) == 4 and solidity > 0.9:
        (_, _), (w, h), _ = cv2.minAreaRect(contour)
        if w > 0 and h > 0 and area / (w * h) > 0.85:
            return "rectangle"
    if circularity > 0.8 and solidity > 0.92:
        return "circle"
    return "other"


def segment(img: Image.Image, *, min_fraction: float = 0.001, min_pixels: int = 30) -> Regions:
    rgb_img = img.convert("RGB")
    scale = min(1.0, MAX_SIDE / max(rgb_img.size))
    if scale < 1.0:
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
    found: list[Region] = []
    for index in np.unique(labels):
        if index == background:
            continue
        mask = cv2.morphologyEx((labels == index).astype(np.uint8), cv2.MORPH_OPEN, kernel)
        n, comp, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for c in range(1, n):
            if stats[c, cv2.CC_STAT_AREA] < min_area:
                continue
            blob = (comp == c).astype(np.uint8)
            contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
            contour = max(contours, key=cv2.contourArea)
            moments = cv2.moments(blob, binaryImage=True)
            if moments["m00"] == 0:
                continue
            x, y, w, h = (int(v) for v in stats[c, :4])
            found.append(Region(
                color=COLOR_NAMES[int(index)],
                shape=classify_shape(contour),
                area=float(stats[c, cv2.CC_STAT_AREA]) / (scale * scale),
                bbox=(x / scale, y / scale, (x + w) / scale, (y + h) / scale),
                centroid=(moments["m10"] / moments["m00"] / scale, moments["m01"] / moments["m00"] / scale),
            ))
    found.sort(key=lambda r: -r.area)
    notes = (f"background colour {COLOR_NAMES[background]} ignored",)
    return Regions(tuple(found), img.size, notes)
