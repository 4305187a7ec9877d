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
    "red": ((255, 0, 0), (200, 30, 30), (139, 0, 0), (220, 20, 60), (178, 34, 34), (230, 60, 50)),
    "orange": ((255, 165, 0), (255, 128, 0), (230, 110, 20), (255, 140, 60), (240, 150, 90), (210, 100, 40)),
    "yellow": ((255, 255, 0), (240, 220, 60), (255, 235, 100), (250, 240, 150)),
    "gold": ((212, 175, 55), (218, 165, 32), (255, 215, 0), (190, 150, 40)),
    "green": ((0, 128, 0), (0, 255, 0), (34, 139, 34), (100, 180, 60), (50, 90, 40), (144, 238, 144), (30, 70, 30),
              (120, 160, 80)),
    "teal": ((0, 128, 128), (20, 100, 100), (60, 150, 150), (0, 90, 100)),
    "cyan": ((0, 255, 255), (0, 200, 220), (120, 230, 240)),
    "blue": ((0, 0, 255), (20, 40, 220), (0, 0, 205), (65, 105, 225), (30, 144, 255), (0, 0, 139), (70, 110, 200),
             (135, 190, 235), (25, 50, 110), (0, 0, 80), (60, 80, 130)),
    "purple": ((128, 0, 128), (148, 0, 211), (120, 80, 170), (180, 120, 220), (75, 0, 130), (100, 50, 150),
               (60, 20, 80)),
    "pink": ((255, 192, 203), (255, 105, 180), (230, 130, 170), (255, 0, 255), (240, 150, 190), (220, 80, 150)),
    "brown": ((139, 69, 19), (160, 82, 45), (120, 80, 50), (90, 60, 40), (100, 50, 20),
              (60, 35, 20), (140, 100, 60)),
    "beige": ((225, 205, 170), (245, 245, 220), (210, 190, 150), (230, 215, 190), (200, 180, 140)),
    "black": ((0, 0, 0), (30, 30, 30)),
    "white": ((255, 255, 255), (240, 240, 240)),
    "gray": ((128, 128, 128), (169, 169, 169), (90, 90, 90), (205, 205, 205), (60, 60, 60)),
}
COLOR_NAMES = tuple(PALETTE)
ACHROMATIC = {"black", "white", "gray"}
CHROMA_MIN = 9.0  # Lab chroma below which a pixel is black, white or gray whatever its hue
LIGHTNESS_WEIGHT = 0.5  # chromatic names compare lightness at half weight: shading changes L more than hue

_PROTO_INDEX = np.array([i for i, protos in enumerate(PALETTE.values()) for _ in protos], dtype=np.int32)
_PROTO_RGB = np.array([p for protos in PALETTE.values() for p in protos], dtype=np.uint8)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB -> (..., 3) float32 CIELAB (L in 0..100)."""
    arr = np.asarray(rgb, dtype=np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(arr, cv2.COLOR_RGB2Lab).reshape(np.shape(rgb))


_PROTO_LAB = rgb_to_lab(_PROTO_RGB)
_CHROMATIC = np.array([COLOR_NAMES[i] not in ACHROMATIC for i in _PROTO_INDEX])
_BLACK, _WHITE, _GRAY = (COLOR_NAMES.index(n) for n in ("black", "white", "gray"))


def achromatic_name(lightness: np.ndarray) -> np.ndarray:
    """black / gray / white index by CIELAB lightness."""
    return np.where(lightness < 25, _BLACK, np.where(lightness > 80, _WHITE, _GRAY))


def label_lab(lab: np.ndarray) -> np.ndarray:
    """Index into COLOR_NAMES of each (N, 3) Lab pixel.

    Pixels with little chroma are black, gray or white by lightness alone; the others take the
    nearest chromatic prototype, with lightness differences counting half (a shaded orange is orange).
    """
    lab = np.asarray(lab, dtype=np.float32).reshape(-1, 3)
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    protos = _PROTO_LAB[_CHROMATIC]
    diff = lab[:, None, :] - protos[None, :, :]
    dist = LIGHTNESS_WEIGHT * diff[..., 0] ** 2 + diff[..., 1] ** 2 + diff[..., 2] ** 2
    chromatic = _PROTO_INDEX[_CHROMATIC][dist.argmin(1)]
    return np.where(chroma < CHROMA_MIN, achromatic_name(lab[:, 0]), chromatic)


def label_pixels(rgb: np.ndarray) -> np.ndarray:
    """Index into COLOR_NAMES of each pixel of an (..., 3) RGB array."""
    shape = np.shape(rgb)[:-1]
    return label_lab(rgb_to_lab(rgb)).reshape(shape)


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


MIN_OBJECT_SHARE = 0.2


def object_mask(img: Image.Image, box: np.ndarray, side: int = 112) -> tuple[np.ndarray, np.ndarray]:
    """(RGB pixels of the box, foreground mask of the same size): GrabCut seeded by the box.

    The box is enlarged by a margin so that GrabCut sees the surroundings as background; a box that
    is the whole picture is seeded slightly inside it. When GrabCut keeps too little (a thin or
    uniform object, or one running past the box), the central ellipse of the box stands in for it.
    """
    w, h = img.size
    x1, y1, x2, y2 = (float(v) for v in box)
    mx, my = 0.15 * (x2 - x1), 0.15 * (y2 - y1)
    cx1, cy1, cx2, cy2 = max(0, int(x1 - mx)), max(0, int(y1 - my)), min(w, int(x2 + mx + 1)), min(h, int(y2 + my + 1))
    region = img.crop((cx1, cy1, cx2, cy2)).convert("RGB")
    scale = min(1.0, side / max(region.size))
    if scale < 1.0:
        region = region.resize((max(1, round(region.width * scale)), max(1, round(region.height * scale))),
                               Image.Resampling.BOX)
    rgb = np.asarray(region)
    rh, rw = rgb.shape[:2]
    rx1, ry1 = int((x1 - cx1) * scale), int((y1 - cy1) * scale)
    rx2, ry2 = min(rw, int(round((x2 - cx1) * scale))), min(rh, int(round((y2 - cy1) * scale)))
    inset_x, inset_y = (max(1, (rx2 - rx1) // 20), max(1, (ry2 - ry1) // 20))
    if rx1 <= 0 and ry1 <= 0 and rx2 >= rw and ry2 >= rh:  # no surroundings: seed inside the box
        rx1, ry1, rx2, ry2 = inset_x, inset_y, rw - inset_x, rh - inset_y
    inside = np.zeros((rh, rw), bool)
    inside[max(0, ry1):ry2, max(0, rx1):rx2] = True
    yy, xx = np.mgrid[0:rh, 0:rw]
    ellipse = (((xx - (rx1 + rx2) / 2) / max(1, (rx2 - rx1) / 2)) ** 2
               + ((yy - (ry1 + ry2) / 2) / max(1, (ry2 - ry1) / 2)) ** 2) <= 0.5
    if rx2 - rx1 < 8 or ry2 - ry1 < 8:
        return rgb, ellipse & inside
    mask = np.zeros((rh, rw), np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(np.ascontiguousarray(rgb[:, :, ::-1]), mask, (rx1, ry1, rx2 - rx1, ry2 - ry1), bgd, fgd, 4,
                    cv2.GC_INIT_WITH_RECT)
    except cv2.error:
        return rgb, ellipse & inside
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)) & inside
    if fg.sum() < MIN_OBJECT_SHARE * inside.sum():  # a box is tight around its object: distrust a small cut
        return rgb, ellipse & inside
    return rgb, fg


def name_object_pixels(rgb: np.ndarray, chromatic_share: float = 0.3) -> str:
    """One colour name for an object's pixels ((N, 3) RGB).

    When coloured pixels make up ``chromatic_share`` of the object, the hue with the most chroma-weighted
    votes names it (highlights and shadows are grey-ish minorities); otherwise the object is black, gray
    or white by the median lightness of its grey pixels.
    """
    if len(rgb) == 0:
        return "unknown"
    lab = rgb_to_lab(np.asarray(rgb, dtype=np.uint8).reshape(-1, 3))
    labels = label_lab(lab)
    counts = np.bincount(labels, minlength=len(COLOR_NAMES)).astype(float)
    chromatic = [i for i, n in enumerate(COLOR_NAMES) if n not in ACHROMATIC]
    if counts[chromatic].sum() >= chromatic_share * counts.sum():
        # among hues, vivid pixels weigh more: a red motorcycle over a brownish floor is red
        vivid = np.bincount(labels, weights=np.hypot(lab[:, 1], lab[:, 2]), minlength=len(COLOR_NAMES))
        return COLOR_NAMES[max(chromatic, key=lambda i: vivid[i])]
    grey = np.isin(labels, [_BLACK, _WHITE, _GRAY])
    lightness = float(np.median(lab[grey, 0])) if grey.any() else float(np.median(lab[:, 0]))
    return COLOR_NAMES[int(achromatic_name(np.array([lightness]))[0])]


def object_color(img: Image.Image, box: np.ndarray) -> str:
    """The colour name of the object in ``box``, from its own pixels (foreground mask, perceptual naming)."""
    rgb, mask = object_mask(img, box)
    return name_object_pixels(rgb[mask])
