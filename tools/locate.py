"""LOC, COUNT and SELECT: finding objects and narrowing a set of boxes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from agent.errors import ArgumentError
from tools.colors import dominant_colors, inner_crop, object_color
from tools.registry import tool
from tools.runtime import cached, detect_all
from tools.types import Detections
from tools.vocabulary import (
    ANY_OBJECT,
    HALVES,
    canonical,
    category_labels,
    labels_match,
    normalise_query,
    singular,
    split_color,
)

if TYPE_CHECKING:
    from tools.protocols import Detector

# Colour words that name a palette colour under another name.
COLOR_ALIASES = {"grey": "gray", "violet": "purple", "silver": "gray", "navy": "blue", "maroon": "red",
                 "olive": "green", "magenta": "pink", "tan": "beige", "cream": "beige", "ivory": "white",
                 "turquoise": "teal", "golden": "gold", "crimson": "red", "indigo": "blue"}


# Shape words that make a LOC query a diagram question (not 'box': a box can be an object).
DIAGRAM_SHAPES = {"circle", "triangle", "rectangle", "square", "shape", "oval", "ellipse"}


def half_box(image: Image.Image, side: str) -> Detections:
    """The box of one half of the image: VisProg's LOC(object='LEFT') and friends."""
    w, h = image.size
    box = {"left": (0, 0, w / 2, h), "right": (w / 2, 0, w, h),
           "top": (0, 0, w, h / 2), "bottom": (0, h / 2, w, h)}[side]
    return Detections(np.array([box]), np.array([1.0]), (side,), (w, h), "geometry")


def _vocabulary(detector: Detector) -> tuple[str, ...] | None:
    """The detector's fixed label set, or None for open-vocabulary detectors."""
    return getattr(detector, "vocabulary", None)


def box_has_color(image: Image.Image, box: np.ndarray, color: str) -> bool:
    """The object's own colour is ``color``, or the colour is one of the two main ones in the box's centre."""
    wanted = COLOR_ALIASES.get(color, color)
    return wanted == object_color(image, box) or wanted in dominant_colors(inner_crop(image, box), k=2,
                                                                            ignore_background=False)


def filter_by_colors(image: Image.Image, dets: Detections, colors: list[str]) -> Detections:
    colors = [c for c in colors if c not in {"dark", "light"}]
    if not colors or not len(dets):
        return dets
    keep = [i for i, box in enumerate(dets.boxes) if all(box_has_color(image, box, c) for c in colors)]
    return dets[keep].with_notes(f"kept boxes whose dominant colour is {' and '.join(colors)}")


@tool("LOC")
def loc(ctx, image: Image.Image, object: str) -> Detections:  # noqa: A002 - the DSL argument is 'object'
    """Find objects of one kind in an image and return their boxes, best first: a COCO class ('bus', 'people') or
    a category word for all its classes ('vehicle', 'animal', 'food', 'furniture').

    Args:
        image: the image to search.
        object: what to find, e.g. 'bus', 'people', 'red car'; a category word ('vehicle', 'animal', 'food',
            'fruit', 'furniture', 'electronic device', 'bag') finds every class under it; 'LEFT', 'RIGHT', 'TOP'
            or 'BOTTOM' give that half of the image; 'object' gives every detected object. Not a colour alone:
            shapes and colours in diagrams are SHAPES (a shape word here, 'red circle', is read as SHAPES).
    """
    query = normalise_query(object)
    if query in HALVES:
        return half_box(image, query)
    colors, rest = split_color(object)
    if rest and all(singular(w) in DIAGRAM_SHAPES for w in rest.split()):  # 'red circle': a diagram question
        from tools.shapes import shapes

        return shapes(ctx, image, object).with_notes(
            f"'{object}' names a shape, not an object class: read as SHAPES(query='{object}')")
    detector = ctx.models.detector()
    vocab = _vocabulary(detector)
    if query in ANY_OBJECT or rest in ANY_OBJECT:
        return filter_by_colors(image, detect_all(ctx, image), colors)
    if vocab is None:  # open vocabulary: the detector is told what to look for
        found = cached(ctx, image, "detector-open", (ctx.config.detector.path, query),
                       lambda: detector.detect(image, classes=[query]))
        return found
    label = canonical(object, vocab)
    if label is None:
        if colors and not rest:
            return Detections.empty(image.size, getattr(detector, "source", ""), notes=(
                f"'{object}' is a colour, not an object class: for shapes in a diagram use "
                f"SHAPES(image, query='{object}'); for a coloured object name it ('{object} car').",))
        group = category_labels(rest or object, vocab)
        if group:  # a category word: every class under it ('vehicle' -> car, bus, truck, ...)
            everything = detect_all(ctx, image)
            dets = everything[[i for i, lab in enumerate(everything.labels) if lab in group]]
            dets = dets.with_notes(f"'{object}' read as the classes {', '.join(sorted(group))}")
            return filter_by_colors(image, dets, colors)
        return Detections.empty(image.size, getattr(detector, "source", ""), notes=(
            f"'{object}' is outside the detector vocabulary ({len(vocab)} COCO classes such as person, car, dog, "
            "chair); LOC cannot find it. Try VQA, REGIONS or a broader class name.",))
    everything = detect_all(ctx, image)
    dets = everything[[i for i, lab in enumerate(everything.labels) if lab == label]]
    if normalise_query(object) != label:
        dets = dets.with_notes(f"'{object}' read as detector class '{label}'")
    return filter_by_colors(image, dets, colors)


@tool("COUNT")
def count(ctx, box: Detections) -> int:
    """Count the boxes in a box variable.

    Args:
        box: boxes returned by LOC, FACEDET or SELECT.
    """
    return len(box)


@tool("SELECT")
def select(ctx, image: Image.Image, box: Detections | None = None, query: str = "",
           object: Detections | None = None, category: str | None = None) -> Detections:  # noqa: A002
    """Keep the boxes that match a description such as 'person', 'red car' or 'blue'.

    Args:
        image: the image the boxes belong to.
        box: boxes to choose from.
        query: the object name and/or colour the kept boxes must have; 'dog,frisbee,grass' picks each of them.
        object: VisProg's name for box, e.g. SEG's objects with masks.
        category: optional; VisProg's kind to choose among first, e.g. 'person'.
    """
    from tools.select_objects import select_objects  # VisProg's form: object=, category=, comma lists

    if (box is None) == (object is None):
        raise ArgumentError("SELECT needs the objects to choose from, once: box=BOX0 (or VisProg's object=OBJ0)")
    if not query.strip():
        raise ArgumentError("SELECT needs a query, e.g. query='red car'")
    if object is not None or category or "," in query:
        return select_objects(ctx, image, object if object is not None else box, query, category)
    colors, rest = split_color(query)
    dets = box
    if rest and rest not in ANY_OBJECT:
        keep = [i for i, label in enumerate(dets.labels) if labels_match(label, rest)]
        if not keep and len(dets):
            clip = ctx.models.clip()
            if clip is None:
                return Detections.empty(image.size, dets.source, notes=dets.notes + (
                    f"no box is labelled '{rest}' (labels: {', '.join(sorted(set(dets.labels)))})",))
            crops = [inner_crop(image, b, margin=0.0) for b in dets.boxes]
            best = int(np.argmax(clip.similarity(crops, rest)))
            return dets[[best]].with_notes(f"CLIP chose the box most like '{rest}'")
        dets = dets[keep]
    return filter_by_colors(image, dets, colors)
