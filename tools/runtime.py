"""Helpers shared by the DSL tools: cached model calls and the detector's full output per image."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PIL import Image

from agent.images import image_digest
from tools.cache import ToolCache
from tools.types import Detections

if TYPE_CHECKING:
    from tools.context import ToolContext


def cached(ctx: ToolContext | None, img: Image.Image, tool: str, args: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per (image pixels, tool, args) when the context has a cache."""
    cache = getattr(ctx, "cache", None)
    if cache is None:
        return compute()
    key = ToolCache.key(image_digest(img), tool, args)
    return cache.get_or_compute(key, compute)


def detect_all(ctx: ToolContext, img: Image.Image) -> Detections:
    """Every detection of the configured detector on ``img`` (cached by image content)."""
    cfg = ctx.config.detector
    args = (cfg.backend, str(ctx.config.detector_path or cfg.path), cfg.score_threshold, cfg.nms_threshold)
    return cached(ctx, img, "detector", args, lambda: ctx.models.detector().detect(img))


def crop_box(img: Image.Image, box: Any, pad: float = 0.0) -> Image.Image:
    """Crop an xyxy box (clipped to the image), enlarged by ``pad`` of its size on each side."""
    x1, y1, x2, y2 = (float(v) for v in box)
    dx, dy = (x2 - x1) * pad, (y2 - y1) * pad
    w, h = img.size
    ix1, iy1 = max(0, int(x1 - dx)), max(0, int(y1 - dy))
    ix2, iy2 = min(w, int(round(x2 + dx))), min(h, int(round(y2 + dy)))
    if ix2 <= ix1 or iy2 <= iy1:
        ix1, iy1 = min(max(0, int(x1)), w - 1), min(max(0, int(y1)), h - 1)
        ix2, iy2 = ix1 + 1, iy1 + 1
    return img.crop((ix1, iy1, ix2, iy2))
