"""CROP and the directional crops, with VisProg's geometry.

CROP cuts out the best box (padded by 10% of its size). CROP_LEFTOF, CROP_RIGHTOF, CROP_ABOVE and
CROP_BELOW keep the part of the image on one side of the box's centre; with no box, the centre of
the image is used, as in VisProg.

VisProg's CROP_FRONTOF, CROP_INFRONT, CROP_INFRONTOF, CROP_BEHIND and CROP_AHEAD have no direction:
in VisProg's code they are subclasses of its CROP and behave exactly like it, cutting out the box
enlarged to 1.5 times its width and height around its centre. CROP_FRONTOF here does the same, and
the other four are its aliases (they are not aliases of CROP_ABOVE / CROP_BELOW).
"""

from __future__ import annotations

from PIL import Image

from tools.registry import tool
from tools.runtime import crop_box
from tools.types import Detections

PAD = 0.1  # of the box size on each side: a little context helps later VQA/COLOR calls
VISPROG_ENLARGE = 1.5  # VisProg's CROP: the box grown to 1.5x its width and height around its centre


def _best_box(image: Image.Image, box: Detections | None):
    if box is None or not len(box):
        return None
    return box.boxes[int(box.scores.argmax())]


def _with_provenance(crop: Image.Image, xyxy: tuple[float, float, float, float]) -> Image.Image:
    crop.info["crop_box"] = tuple(round(float(v), 1) for v in xyxy)  # where it came from, for the trace
    return crop


def _side(image: Image.Image, box: Detections | None, side: str) -> Image.Image:
    w, h = image.size
    best = _best_box(image, box)
    cx, cy = (w / 2, h / 2) if best is None else ((best[0] + best[2]) / 2, (best[1] + best[3]) / 2)
    cx, cy = int(round(min(max(cx, 1), w - 1))), int(round(min(max(cy, 1), h - 1)))
    region = {"left": (0, 0, cx, h), "right": (cx, 0, w, h), "above": (0, 0, w, cy), "below": (0, cy, w, h)}[side]
    return _with_provenance(image.crop(region), region)


@tool("CROP")
def crop(ctx, image: Image.Image, box: Detections) -> Image.Image:
    """Cut out the best box of a box variable (slightly padded); the whole image if there is none.

    Args:
        image: the image to crop.
        box: boxes from LOC, FACEDET or SELECT; the highest-scoring one is used.
    """
    best = _best_box(image, box)
    if best is None:
        return image.copy()
    out = crop_box(image, best, pad=PAD)
    x1, y1 = max(0.0, best[0] - (best[2] - best[0]) * PAD), max(0.0, best[1] - (best[3] - best[1]) * PAD)
    return _with_provenance(out, (x1, y1, x1 + out.width, y1 + out.height))


def enlarged_box(box, size: tuple[int, int], factor: float = VISPROG_ENLARGE) -> tuple[int, int, int, int]:
    """VisProg's ``expand_box``: ``factor`` times the box's width and height around its centre, clipped."""
    w, h = size
    x1, y1, x2, y2 = (float(v) for v in box)
    dw, dh = int(factor * (x2 - x1) / 2), int(factor * (y2 - y1) / 2)
    cx, cy = int((x1 + x2) / 2), int((y1 + y2) / 2)
    out = (max(0, cx - dw), max(0, cy - dh), min(cx + dw, w), min(cy + dh, h))
    if out[2] <= out[0] or out[3] <= out[1]:  # a degenerate box still gives a one-pixel crop
        out = (min(max(0, cx), w - 1), min(max(0, cy), h - 1), min(max(0, cx), w - 1) + 1, min(max(0, cy), h - 1) + 1)
    return out


@tool("CROP_FRONTOF", aliases=("CROP_INFRONT", "CROP_INFRONTOF", "CROP_BEHIND", "CROP_AHEAD"))
def crop_visprog(ctx, image: Image.Image, box: Detections) -> Image.Image:
    """VisProg's CROP: the best box enlarged to 1.5x its width and height around its centre (the whole image if
    there is none). VisProg's CROP_FRONTOF, CROP_INFRONT, CROP_INFRONTOF, CROP_BEHIND and CROP_AHEAD all do this.

    Args:
        image: the image to crop.
        box: boxes from LOC, FACEDET or SELECT; the highest-scoring one is used.
    """
    best = _best_box(image, box)
    if best is None:
        return image.copy()
    region = enlarged_box(best, image.size)
    return _with_provenance(image.crop(region), region)


@tool("CROP_LEFTOF")
def crop_leftof(ctx, image: Image.Image, box: Detections) -> Image.Image:
    """The part of the image left of the best box's centre.

    Args:
        image: the image to crop.
        box: boxes from LOC, FACEDET or SELECT.
    """
    return _side(image, box, "left")


@tool("CROP_RIGHTOF")
def crop_rightof(ctx, image: Image.Image, box: Detections) -> Image.Image:
    """The part of the image right of the best box's centre.

    Args:
        image: the image to crop.
        box: boxes from LOC, FACEDET or SELECT.
    """
    return _side(image, box, "right")


@tool("CROP_ABOVE")
def crop_above(ctx, image: Image.Image, box: Detections) -> Image.Image:
    """The part of the image above the best box's centre.

    Args:
        image: the image to crop.
        box: boxes from LOC, FACEDET or SELECT.
    """
    return _side(image, box, "above")


@tool("CROP_BELOW")
def crop_below(ctx, image: Image.Image, box: Detections) -> Image.Image:
    """The part of the image below the best box's centre.

    Args:
        image: the image to crop.
        box: boxes from LOC, FACEDET or SELECT.
    """
    return _side(image, box, "below")
