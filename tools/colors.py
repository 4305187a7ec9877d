"""Naming colours: nearest prototype in CIELAB, where distances follow perceived difference.

Each name has several prototypes (dark red, red, ...) so shades map to the common word a
person would use. Pixels are labelled, then counted: the dominant colours are the most
frequent labels, optionally ignoring a uniform background seen on the image border.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

PALETTE: dict[str, tuple[tuple[int, int, int], ...]] = {
    "red": ((255, 0, 0), (200, 30, 30), (139, 0, 0), (220, 20, 60)),
    "orange": ((255, 165, 0), (255, 128, 0), (230, 110, 20)),
    "yellow": ((255, 255, 0), (240, 220, 60), (255, 215, 0)),
    "green": ((0, 128, 0), (0, 255, 0), (34, 139, 34), (100, 180, 60), (50, 90, 40), (144, 238, 144)),
    "cyan": ((0, 255, 255), (0, 200, 200)),
    "blue": ((0, 0, 255), (20, 40, 220), (0, 0, 205), (65, 105, 225), (30, 144, 255), (0, 0, 139), (70, 110, 200),
             (135, 190, 235), (25, 50, 110)),
    "purple": ((128, 0, 128), (148, 0, 211), (120, 80, 170), (180, 120, 220), (75, 0, 130), (100, 50, 150)),
    "pink": ((255, 192, 203), (255, 105, 180), (230, 130, 170), (255, 0, 255)),
    "brown": ((139, 69, 19), (160, 82, 45), (120, 80, 50), (90, 60, 40), (190, 150, 100)),
    "black": ((0, 0, 0), (30, 30, 30)),
    "white": ((255, 255, 255), (240, 240, 240)),
    "gray": ((128, 128, 128), (169, 169, 169), (90, 90, 90), (205, 205, 205), (60, 60, 60)),
}
COLOR_NAMES = tuple(PALETTE)

_PROTO_INDEX = np.array([i for i, protos in enumerate(PALETTE.values()) for _ in protos], dtype=np.int32)
_PROTO_RGB = np.array([p for protos in PALETTE.values() for p in protos], dtype=np.uint8)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB -> (..., 3) float32 CIELAB (L in 0..100)."""
    arr = np.asarray(rgb, dtype=np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(arr, cv2.COLOR_RGB2Lab).reshape(np.shape(rgb))


_PROTO_LAB = rgb_to_lab(_PROTO_RGB)


def label_pixels(rgb: np.ndarray) -> np.ndarray:
    """Index into COLOR_NAMES of each pixel of an (..., 3) RGB array."""
    shape = np.shape(rgb)[:-1]
    lab = rgb_to_lab(rgb).reshape(-1, 3)
    dist = ((lab[:, None, :] - _PROTO_LAB[None, :, :]) ** 2).sum(-1)
    return _PROTO_INDEX[dist.argmin(1)].reshape(shape)


def name_color(rgb: tuple[int, int, int]) -> str:
    return COLOR_NAMES[int(label_pixels(np.array([rgb], dtype=np.uint8))[0])]


def _small(img: Image.Image, side: int = 96) -> np.ndarray:
    img = img.convert("RGB")
    if max(img.size) > side:
        img = img.copy()
        img.thumbnail((side, side), Image.Resampling.BOX)  # box filter averages: no aliasing speckle
    return np.asarray(img)


def color_shares(img: Image.Image, *, ignore_background: bool = True) -> list[tuple[str, float]]:
    """(name, share) of the image's pixels, largest first.

    With ``ignore_background``, a colour covering most of the border (a plain backdrop) is left
    out unless it is nearly the whole image, so a red disc on white is called red.
    """
    rgb = _small(img)
    labels = label_pixels(rgb)
    counts = np.bincount(labels.ravel(), minlength=len(COLOR_NAMES)).astype(float)
    if ignore_background and min(labels.shape) >= 8:
        border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
        bcounts = np.bincount(border, minlength=len(COLOR_NAMES))
        bg = int(bcounts.argmax())
        if bcounts[bg] >= 0.8 * len(border) and counts[bg] <= 0.9 * counts.sum():
            counts[bg] = 0
    total = counts.sum()
    if total == 0:
        return []
    order = np.argsort(-counts)
    return [(COLOR_NAMES[i], float(counts[i] / total)) for i in order if counts[i] > 0]


ACHROMATIC = {"black", "white", "gray"}


def dominant_colors(img: Image.Image, k: int = 2, min_share: float = 0.2, chromatic_share: float = 0.2,
                    **kw) -> list[str]:
    """The main colour names, most important first.

    A hue covering at least ``chromatic_share`` of the pixels goes before black/white/gray:
    windows, tyres and shadows are achromatic, and people name a blue bus by its blue.
    """
    shares = color_shares(img, **kw)
    chromatic = [item for item in shares if item[0] not in ACHROMATIC and item[1] >= chromatic_share]
    shares = chromatic + [item for item in shares if item not in chromatic]
    return [name for i, (name, share) in enumerate(shares[:k]) if i == 0 or share >= min_share]


def inner_crop(img: Image.Image, box: np.ndarray, margin: float = 0.15) -> Image.Image:
    """The central part of a box: an object's colour, with less of what is around it."""
    x1, y1, x2, y2 = (float(v) for v in box)
    dx, dy = (x2 - x1) * margin, (y2 - y1) * margin
    ix1, iy1, ix2, iy2 = int(x1 + dx), int(y1 + dy), int(round(x2 - dx)), int(round(y2 - dy))
    if ix2 <= ix1 or iy2 <= iy1:
        ix1, iy1, ix2, iy2 = int(x1), int(y1), max(int(x1) + 1, int(round(x2))), max(int(y1) + 1, int(round(y2)))
    return img.crop((ix1, iy1, ix2, iy2))
