"""Drawing boxes and thumbnails for TAG and for the trace renderer."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tools.types import Detections

_COLORS = ((230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240),
           (240, 50, 230), (210, 245, 60), (250, 190, 190), (0, 128, 128))


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has only the fixed bitmap font
        return ImageFont.load_default()


Rect = tuple[float, float, float, float]


def _overlap(a: Rect, b: Rect) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def place_labels(boxes: list[Rect], sizes: list[tuple[float, float]], image_size: tuple[int, int]) -> list[Rect]:
    """Where each box's label goes: above the box, else inside its top, else below it, else inside its bottom
    (each also right-aligned), else stacked against or beside a label placed before; kept inside the image and
    off the labels placed before it; when every spot collides, the one overlapping least (then the one
    nearest its box). Returns (x1, y1, x2, y2) per label."""
    width, height = image_size
    placed: list[Rect] = []
    for (x1, y1, x2, y2), (w, h) in zip(boxes, sizes, strict=True):
        near = [q for q in placed if _overlap(q, (x1 - w, y1 - 2 * h, x2 + w, y2 + 2 * h)) > 0][-8:]
        tops = [y1 - h, y1, y2, y2 - h] + [q[3] for q in near] + [q[1] - h for q in near]  # or stacked
        lefts = [x1, x2 - w] + [q[2] for q in near]  # or beside a nearby label placed before
        spots = []
        for top in tops:
            for left in lefts:
                lx = min(max(0.0, left), max(0.0, width - w))
                ly = min(max(0.0, top), max(0.0, height - h))
                spots.append((lx, ly, lx + w, ly + h))
        best = min(spots, key=lambda r: (sum(_overlap(r, p) for p in placed),
                                          abs(r[0] - x1) + min(abs(r[1] - (y1 - h)), abs(r[1] - y2))))
        placed.append(best)
    return placed


def draw_detections(img: Image.Image, dets: Detections, *, show_scores: bool = True) -> Image.Image:
    """A copy of ``img`` with each box outlined and labelled (colour per label); labels never cover each
    other when there is room (``place_labels``) and stay inside the picture."""
    out = img.convert("RGB").copy()
    if not len(dets):
        return out
    if dets.masks is not None and dets.masks.shape[1:] == (out.height, out.width):
        out = _paint_masks(out, dets)
    draw = ImageDraw.Draw(out)
    width = max(2, round(max(out.size) / 300))
    font = _font(max(12, round(max(out.size) / 45)))
    palette: dict[str, tuple[int, int, int]] = {}
    boxes, texts, sizes, colors = [], [], [], []
    for box, score, label in zip(dets.boxes, dets.scores, dets.labels, strict=False):
        color = palette.setdefault(label, _COLORS[len(palette) % len(_COLORS)])
        x1, y1, x2, y2 = (float(v) for v in box)
        draw.rectangle((x1, y1, x2, y2), outline=color, width=width)
        text = f"{label} {score:.2f}" if show_scores else label
        tx1, ty1, tx2, ty2 = draw.textbbox((0, 0), text, font=font)
        boxes.append((x1, y1, x2, y2))
        texts.append((text, ty1))
        sizes.append((tx2 - tx1 + 4, ty2 - ty1 + 4))
        colors.append(color)
    for (lx1, ly1, lx2, ly2), (text, top), color in zip(place_labels(boxes, sizes, out.size), texts, colors,
                                                           strict=True):
        draw.rectangle((lx1, ly1, lx2, ly2), fill=color)
        draw.text((lx1 + 2, ly1 + 2 - top), text, fill=(255, 255, 255), font=font)
    return out


def _paint_masks(img: Image.Image, dets: Detections, alpha: float = 0.45) -> Image.Image:
    """Each object's mask tinted with its label's colour (SEG, SELECT and CLASSIFY results)."""
    arr = np.asarray(img, dtype=np.float32).copy()
    palette: dict[str, tuple[int, int, int]] = {}
    for mask, label in zip(dets.masks, dets.labels, strict=False):
        color = np.array(palette.setdefault(label, _COLORS[len(palette) % len(_COLORS)]), dtype=np.float32)
        arr[mask] = (1 - alpha) * arr[mask] + alpha * color
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def thumbnail(img: Image.Image, max_side: int = 256) -> Image.Image:
    out = img.convert("RGB").copy()
    out.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return out


def crop_thumbnails(img: Image.Image, dets: Detections, max_side: int = 128, limit: int = 12) -> list[Image.Image]:
    """Small crops of the first ``limit`` boxes, for showing what a step found."""
    from tools.runtime import crop_box

    return [thumbnail(crop_box(img, box, pad=0.05), max_side) for box in dets.boxes[:limit]]
