"""A small deterministic tool set for interpreter tests (no models)."""

from __future__ import annotations

import time
import types

import numpy as np
from PIL import Image

from tools.logic import LOGIC_TOOLS
from tools.registry import ToolRegistry, tool
from tools.types import Detections

_COUNTS = {"dog": 2, "cat": 1, "bus": 3}
_COLORS = {"red": (220, 20, 20), "blue": (20, 20, 220), "green": (20, 200, 20)}


def ctx():
    return types.SimpleNamespace(calls=[])


def colored(name: str, size=(64, 48)) -> Image.Image:
    return Image.new("RGB", size, _COLORS[name])


def dominant(image: Image.Image) -> str:
    mean = np.asarray(image.convert("RGB"), dtype=np.float32).reshape(-1, 3).mean(0)
    return min(_COLORS, key=lambda c: float(np.abs(mean - np.array(_COLORS[c])).sum()))


@tool("LOC")
def loc(ctx, image: Image.Image, object: str) -> Detections:
    """Find objects.

    Args:
        image: the image.
        object: what to find.
    """
    ctx.calls.append("LOC")
    n = _COUNTS.get(object, 0)
    w, h = image.size
    boxes = [[i * 10, 0, i * 10 + 8, min(h, 20)] for i in range(n)]
    return Detections(boxes, [0.9] * n, (object,) * n, image.size, "toy")


@tool("COUNT")
def count(ctx, box: Detections) -> int:
    """Count boxes.

    Args:
        box: boxes.
    """
    ctx.calls.append("COUNT")
    return len(box)


@tool("CROP")
def crop(ctx, image: Image.Image, box: Detections) -> Image.Image:
    """Crop the first box.

    Args:
        image: the image.
        box: boxes.
    """
    ctx.calls.append("CROP")
    if not len(box):
        return image
    return image.crop(tuple(int(v) for v in box.boxes[0]))


@tool("VQA", aliases=("ASK",))
def vqa(ctx, image: Image.Image, question: str) -> str:
    """Answer a question about the image.

    Args:
        image: the image.
        question: the question.
    """
    ctx.calls.append("VQA")
    color = dominant(image)
    if "color" in question.lower() or "colour" in question.lower():
        return color
    return "yes" if color in question.lower() else "no"


@tool("FILTER")
def filter_boxes(ctx, box: Detections, min_score: float = 0.5, labels: list[str] | None = None,
                 mode: str = "any") -> Detections:
    """Keep confident boxes.

    Args:
        box: boxes.
        min_score: threshold.
        labels: labels to keep.
        mode: any or all.
    """
    ctx.calls.append("FILTER")
    keep = [i for i, s in enumerate(box.scores) if s >= min_score and (not labels or box.labels[i] in labels)]
    return box[keep]


@tool("FAIL")
def fail(ctx, image: Image.Image) -> str:
    """Always fails.

    Args:
        image: the image.
    """
    ctx.calls.append("FAIL")
    raise RuntimeError("boom")


@tool("SLOW")
def slow(ctx, seconds: float) -> float:
    """Sleep.

    Args:
        seconds: how long.
    """
    ctx.calls.append("SLOW")
    time.sleep(seconds)
    return seconds


@tool("SENTINEL")
def sentinel(ctx, text: str = "") -> str:
    """Must never run in adversarial tests.

    Args:
        text: anything.
    """
    ctx.calls.append("SENTINEL")
    return text


TOY_TOOLS = (loc, count, crop, vqa, filter_boxes, fail, slow, sentinel)


def registry() -> ToolRegistry:
    return ToolRegistry((*TOY_TOOLS, *LOGIC_TOOLS))
