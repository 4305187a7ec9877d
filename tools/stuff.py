"""Region masks for "stuff" (sky, grass, trees, water, road, wall) from colour, texture and position.

VisProg's SEG is a panoptic MaskFormer (hub weights). Offline, SEG gets its object masks from the
detector (tools/masks.py) and its stuff masks from here: each pixel's local colour (CIELAB, averaged
over a small window) and texture (local spread of lightness) are read at a working resolution,
pixels are labelled by rules, and connected regions are kept where their place in the picture fits
the label (sky touches the top, road and grass reach the bottom). It is a coarse segmentation, not
a learned one: thin or unusual stuff is missed, and it says "wall" for any large smooth backdrop.
"""

from __future__ import annotations

from types import MappingProxyType

import cv2
import numpy as np
from PIL import Image

from tools.colors import rgb_to_lab

WORK_SIDE = 192
MIN_SHARE = 0.03  # a stuff region covers at least this share of the picture
STUFF_LABELS = ("sky", "grass", "tree", "water", "road", "wall")

# Words people use for the stuff labels.
STUFF_SYNONYMS = MappingProxyType({
    "skies": "sky", "clouds": "sky", "cloud": "sky", "heaven": "sky", "heavens": "sky",
    "trees": "tree", "foliage": "tree", "forest": "tree", "woods": "tree", "bush": "tree", "bushes": "tree",
    "leaves": "tree", "shrub": "tree", "shrubs": "tree", "lawn": "grass", "meadow": "grass", "field": "grass",
    "turf": "grass", "sea": "water", "ocean": "water", "lake": "water", "river": "water", "pond": "water",
    "street": "road", "streets": "road", "pavement": "road", "sidewalk": "road", "asphalt": "road",
    "path": "road", "ground": "road", "roads": "road", "walls": "wall", "backdrop": "wall",
})
STUFF_GROUPS = MappingProxyType({"vegetation": ("tree", "grass"), "greenery": ("tree", "grass"),
                                 "plants": ("tree", "grass")})


def stuff_words(query: str) -> tuple[str, ...]:
    """The stuff labels a query names ('street' -> road, 'vegetation' -> tree and grass), or ()."""
    words = " ".join(query.lower().replace("-", " ").split())
    for the in ("the ", "a ", "some "):
        words = words.removeprefix(the)
    if words in STUFF_LABELS:
        return (words,)
    if words in STUFF_SYNONYMS:
        return (STUFF_SYNONYMS[words],)
    return STUFF_GROUPS.get(words, ())


def _features(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Smoothed L, a, b and texture (local standard deviation of L) of a small RGB array."""
    lab = rgb_to_lab(rgb).astype(np.float32)
    k = (7, 7)
    smooth = cv2.blur(lab, k)
    lightness = lab[:, :, 0]
    var = cv2.blur(lightness * lightness, k) - cv2.blur(lightness, k) ** 2
    texture = np.sqrt(np.clip(var, 0, None))
    return smooth[:, :, 0], smooth[:, :, 1], smooth[:, :, 2], texture


def _components(candidate: np.ndarray, min_pixels: int):
    n, comp, stats, _ = cv2.connectedComponentsWithStats(candidate.astype(np.uint8), connectivity=4)
    for c in range(1, n):
        if stats[c, cv2.CC_STAT_AREA] >= min_pixels:
            x, y, w, h = (int(v) for v in stats[c, :4])
            yield comp == c, (x, y, x + w, y + h)


def stuff_masks(image: Image.Image, exclude: np.ndarray | None = None) -> list[tuple[str, np.ndarray]]:
    """(label, full-size bool mask) for each stuff label found; ``exclude`` marks object pixels to leave out."""
    full_w, full_h = image.size
    scale = min(1.0, WORK_SIDE / max(full_w, full_h))
    sw, sh = max(8, round(full_w * scale)), max(8, round(full_h * scale))
    rgb = np.asarray(image.convert("RGB").resize((sw, sh), Image.Resampling.BOX))
    lightness, a, b, texture = _features(rgb)
    chroma = np.hypot(a, b)
    hue = (np.degrees(np.arctan2(b, a)) + 360) % 360
    free = np.ones((sh, sw), bool)
    if exclude is not None and exclude.any():
        free = cv2.resize(exclude.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST) == 0
    ys = (np.arange(sh)[:, None] + 0.5) / sh * np.ones((1, sw))
    blue = (hue > 200) & (hue < 300) & (chroma > 8)
    green = (hue > 100) & (hue < 200) & (chroma > 6) & (a < -4)
    grey = chroma < 12
    smooth = texture < 6
    rules = {
        "sky": free & smooth & ((blue & (lightness > 12)) | (grey & (lightness > 85))),
        "tree": free & green,
        "grass": free & green & (chroma > 10),
        "water": free & blue & (chroma > 12) & (lightness > 25) & (texture < 10),
        "road": free & grey & (lightness > 20) & (lightness < 85) & (texture < 12),
        "wall": free & (texture < 4),
    }
    min_pixels = int(MIN_SHARE * sw * sh)
    taken = ~free
    found: list[tuple[str, np.ndarray]] = []
    for label in STUFF_LABELS:  # earlier labels claim pixels first: sky before water, grass before tree
        keep = np.zeros((sh, sw), bool)
        for comp, (x1, y1, x2, y2) in _components(rules[label] & ~taken, min_pixels):
            mean_y = float(ys[comp].mean())
            lit = lightness[comp]  # lawns are lit evenly; tree canopies are full of deep shadow
            even = float(np.median(lit)) > 40 and float((lit < 25).mean()) < 0.15
            top, bottom, width = y1 / sh, y2 / sh, (x2 - x1) / sw
            fits = {
                "sky": top < 0.05 and mean_y < 0.5,
                "tree": mean_y < 0.9 and float(np.median(texture[comp])) >= 3,  # leaves have texture
                "grass": top > 0.45 and bottom > 0.9 and width > 0.25 and even,  # low, wide, evenly lit
                "water": top > 0.15 and mean_y > 0.45 and width > 0.2,
                "road": bottom > 0.9 and mean_y > 0.55 and width > 0.3 and (x2 - x1) >= 1.2 * (y2 - y1),
                "wall": bottom < 0.97 and mean_y < 0.7,
            }[label]
            if fits:
                keep |= comp
        if keep.sum() >= min_pixels:
            keep = cv2.morphologyEx(keep.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) > 0
            keep &= ~taken
            taken |= keep
            full = cv2.resize(keep.astype(np.uint8) * 255, (full_w, full_h), interpolation=cv2.INTER_LINEAR) > 127
            if exclude is not None:
                full &= ~exclude
            found.append((label, full))
    return found
