"""CROP and the directional crops, with VisProg's geometry.

CROP cuts out the best box (slightly padded). CROP_LEFTOF etc. keep the part of the image on
one side of the box's centre; with no box, the centre of the image is used. VisProg maps
'in front of' to below and 'behind'/'ahead' to above, and so do the aliases here.
"""

from __future__ import annotations

from PIL import Image

from tools.registry import tool
from tools.runtime import crop_box
from tools.types import Detections

PAD = 0.1  # of the box size on each side: a little context helps later VQA/COLOR calls


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


@tool("CROP_ABOVE", aliases=("CROP_BEHIND", "CROP_AHEAD"))
def crop_above(ctx, image: Image.Image, box: Detections) -> Image.Image:
    """The part of the image above the best box's centre (also CROP_BEHIND, CROP_AHEAD).

    Args:
        image: the image to crop.
        box: boxes from LOC, FACEDET or SELECT.
    """
    return _side(image, box, "above")


@tool("CROP_BELOW", aliases=("CROP_FRONTOF", "CROP_INFRONT", "CROP_INFRONTOF"))
def crop_below(ctx, image: Image.Image, box: Detections) -> Image.Image:
    """The part of the image below the best box's centre (also CROP_FRONTOF, CROP_INFRONT, CROP_INFRONTOF).

    Args:
        image: the image to crop.
        box: boxes from LOC, FACEDET or SELECT.
    """
    return _side(image, box, "below")
