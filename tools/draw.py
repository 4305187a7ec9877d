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


def draw_detections(img: Image.Image, dets: Detections, *, show_scores: bool = True) -> Image.Image:
    """A copy of ``img`` with each box outlined and labelled (colour per label)."""
    out = img.convert("RGB").copy()
    if not len(dets):
        return out
    if dets.masks is not None and dets.masks.shape[1:] == (out.height, out.width):
        out = _paint_masks(out, dets)
    draw = ImageDraw.Draw(out)
    width = max(2, round(max(out.size) / 300))
    font = _font(max(12, round(max(out.size) / 45)))
    palette: dict[str, tuple[int, int, int]] = {}
    for box, score, label in zip(dets.boxes, dets.scores, dets.labels, strict=False):
        color = palette.setdefault(label, _COLORS[len(palette) % len(_COLORS)])
        x1, y1, x2, y2 = (float(v) for v in box)
        draw.rectangle((x1, y1, x2, y2), outline=color, width=width)
        text = f"{label} {score:.2f}" if show_scores else label
        tx1, ty1, tx2, ty2 = draw.textbbox((x1, y1), text, font=font)
        ty = y1 - (ty2 - ty1) - 4 if y1 - (ty2 - ty1) - 4 >= 0 else y1
        draw.rectangle((x1, ty, x1 + (tx2 - tx1) + 4, ty + (ty2 - ty1) + 4), fill=color)
        draw.text((x1 + 2, ty + 2 - (ty1 - y1)), text, fill=(255, 255, 255), font=font)
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
