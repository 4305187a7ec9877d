"""SHAPES and SHAPE_ATTR: questions about shapes and colours in diagrams, icons and renders, through REGIONS.

A colour or a shape is not a detector class: "is there a red circle?" is SHAPES(query='red circle') then
COUNT, never LOC(object='red'). SHAPES turns the segmented regions into boxes (the canonical Detections)
labelled "<colour> <shape>", so COUNT, SELECT, CROP and EVAL work on them as on detector boxes.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image

from tools.registry import tool
from tools.runtime import cached
from tools.segment import segment
from tools.types import Detections, Region
from tools.vocabulary import normalise_query, singular

SHAPE_WORDS = {"circle": "circle", "round": "circle", "disc": "circle", "disk": "circle", "oval": "circle",
               "ellipse": "circle", "rectangle": "rectangle", "square": "rectangle", "box": "rectangle",
               "triangle": "triangle", "triangular": "triangle"}
SHAPE_COLOR_ALIASES = {"grey": "gray", "violet": "purple", "navy": "blue", "maroon": "red", "magenta": "pink",
                       "silver": "gray", "turquoise": "teal", "golden": "gold", "aqua": "cyan", "lime": "green"}
ANY_SHAPE = {"", "shape", "shapes", "object", "objects", "thing", "things", "figure", "figures", "region"}


def parse_shape_query(query: str) -> tuple[set[str], set[str]]:
    """('big red circles') -> ({'red'}, {'circle'}): the colours and shapes a query asks for."""
    from tools.colors import COLOR_NAMES

    colors, shapes = set(), set()
    for word in normalise_query(query).split():
        word = SHAPE_COLOR_ALIASES.get(word, word)
        if word in COLOR_NAMES:
            colors.add(word)
        elif singular(word) in SHAPE_WORDS:
            shapes.add(SHAPE_WORDS[singular(word)])
    return colors, shapes


def _matches(region: Region, colors: set[str], shapes: set[str]) -> bool:
    return (not colors or region.color in colors) and (not shapes or region.shape in shapes)


@tool("SHAPES")
def shapes(ctx, image: Image.Image, query: str = "shape") -> Detections:
    """Find the shapes of a diagram, icon or render that match a colour and/or shape, as boxes labelled
    '<colour> <shape>' (largest first); use COUNT on them, and SHAPE_ATTR to read a shape's colour or kind.

    Args:
        image: the picture to search (simple scenes: diagrams, icons, renders; not cluttered photos).
        query: e.g. 'red', 'circle', 'blue triangle', or 'shape' for every shape. Shapes: circle, rectangle,
            triangle. Colours: red, orange, yellow, gold, green, teal, cyan, blue, purple, pink, brown, beige,
            black, white, gray.
    """
    found = cached(ctx, image, "regions", (), lambda: segment(image))
    colors, kinds = parse_shape_query(query)
    rest = {w for w in normalise_query(query).split()
            if SHAPE_COLOR_ALIASES.get(w, w) not in colors and singular(w) not in SHAPE_WORDS}
    keep = [r for r in found.regions if _matches(r, colors, kinds)]
    notes = list(found.notes)
    if rest - ANY_SHAPE:
        notes.append(f"words not used by SHAPES: {', '.join(sorted(rest - ANY_SHAPE))}")
    if not keep:
        return Detections.empty(image.size, "regions", notes=tuple(notes))
    total = sum(r.area for r in keep)
    return Detections(np.array([r.bbox for r in keep], dtype=np.float32),
                      np.array([r.area / total for r in keep], dtype=np.float32),
                      tuple(f"{r.color} {r.shape}" for r in keep), image.size, "regions", tuple(notes))


def _position(box: np.ndarray, size: tuple[int, int]) -> str:
    cx, cy = (box[0] + box[2]) / 2 / size[0], (box[1] + box[3]) / 2 / size[1]
    horizontal = "left" if cx < 0.4 else "right" if cx > 0.6 else ""
    vertical = "top" if cy < 0.4 else "bottom" if cy > 0.6 else ""
    return " ".join(p for p in (vertical, horizontal) if p) or "center"


@tool("SHAPE_ATTR")
def shape_attr(ctx, box: Detections, attribute: Literal["shape", "color", "position"] = "shape") -> str:
    """Read one attribute of the largest shape found by SHAPES (by pixel area): its kind, colour or position.

    Args:
        box: shapes returned by SHAPES.
        attribute: 'shape' (circle, rectangle, triangle, other), 'color', or 'position' (left, right, top,
            bottom, top left, ..., center); 'none' when there is no shape.
    """
    if not len(box):
        return "none"
    best = int(np.argmax(box.scores)) if box.source == "regions" else int(np.argmax(box.areas))
    label = box.labels[best]
    if attribute == "position":
        return _position(box.boxes[best], box.image_size)
    color, _, kind = label.rpartition(" ")
    return kind if attribute == "shape" else (color or "unknown")


SHAPE_TOOLS = (shapes, shape_attr)
