"""OCR, FACEDET, CLASSIFY, COLOR, REGIONS and TAG: single-model perception tools."""

from __future__ import annotations

import numpy as np
from PIL import Image

from agent.errors import ArgumentError
from tools.categories import category, members, named_within
from tools.colors import object_color
from tools.draw import draw_detections
from tools.reading import ReadText
from tools.registry import tool
from tools.runtime import cached, crop_box, detect_all
from tools.segment import segment
from tools.types import Detections, Regions
from tools.vocabulary import COCO_LABELS, canonical, normalise_query, singular


def read_lines(ctx, image: Image.Image) -> list:
    """OCR text lines (with boxes and confidences), cached by image content."""
    args = (ctx.config.ocr.backend, ctx.config.ocr.min_confidence)
    return cached(ctx, image, "ocr", args, lambda: ctx.models.ocr().read(image))


def top_labels(ctx, image: Image.Image, k: int = 5) -> list[tuple[str, float]]:
    """The classifier's top-k (label, probability), cached by image content."""
    args = (ctx.config.classifier.backend, ctx.config.classifier.model, k)
    return cached(ctx, image, "classify", args, lambda: ctx.models.classifier().classify(image, k=k))


@tool("OCR")
def ocr(ctx, image: Image.Image) -> str:
    """Read the text in an image, line by line in reading order ('' if there is none).

    Args:
        image: the image (or crop) to read.
    """
    # A str that keeps each line's box and size (tools/reading.py): titles and first lines are picked from it.
    return ReadText.from_lines(read_lines(ctx, image))


@tool("FACEDET")
def facedet(ctx, image: Image.Image) -> Detections:
    """Find frontal faces; the boxes are labelled 'face'.

    Args:
        image: the image to search.
    """
    args = (ctx.config.faces.backend, ctx.config.faces.score_threshold, "face")
    return cached(ctx, image, "faces", args, lambda: ctx.models.faces().detect(image, "face"))


def _words(text: str) -> set[str]:
    return {singular(w) for w in normalise_query(text).split()}


def _detector_evidence(ctx, image: Image.Image, labels: set[str]) -> dict[str, float]:
    """Detector score of each wanted COCO label, weighted by how much of the picture its box covers."""
    found: dict[str, float] = {}
    if not labels:
        return found
    dets = detect_all(ctx, image)
    w, h = image.size
    for label, s, area in zip(dets.labels, dets.scores, dets.areas, strict=False):
        if label in labels:
            found[label] = max(found.get(label, 0.0), float(s) * min(1.0, 0.5 + float(area) / (w * h)))
    return found


def _category_score(ctx, image: Image.Image, category: str, labels: list[tuple[str, float]]) -> float:
    """Evidence for one category from ImageNet labels and detector boxes (largest box share)."""
    want, group = _words(category), members(category)
    score = max((p for name, p in labels
                 if name in group or want & _words(name) or normalise_query(category) in name.lower()), default=0.0)
    coco = canonical(category)
    wanted = {coco} if coco is not None else group & set(COCO_LABELS)
    return max([score, *_detector_evidence(ctx, image, wanted).values()])


MIN_NAMING_EVIDENCE = 0.1  # summed classifier probability (or detector score) below which CLASSIFY says 'unknown'


def _name_within(ctx, image: Image.Image, within: str) -> str:
    """Which member of a category the image shows, in everyday words ('animal' -> 'cat', not 'tiger cat')."""
    group = members(within)
    votes: dict[str, float] = {}
    for name, p in top_labels(ctx, image, k=20):
        if name in group:
            key = named_within(name, within)
            votes[key] = votes.get(key, 0.0) + p
    for label, s in _detector_evidence(ctx, image, group & set(COCO_LABELS)).items():
        key = named_within(label, within)
        votes[key] = max(votes.get(key, 0.0), s)
    if not votes:
        return "unknown"
    best = max(votes, key=lambda k: votes[k])
    return best if votes[best] >= MIN_NAMING_EVIDENCE else "unknown"


@tool("CLASSIFY")
def classify(ctx, image: Image.Image, categories: list[str] | None = None,
             object: Detections | None = None) -> str | Detections:  # noqa: A002 - VisProg's argument
    """Name what the image shows: the top ImageNet label, the best of the given candidates, or which member of a
    category it is (categories=['animal'] -> 'cat'; for "what animal / which vehicle / what food"); with object=,
    label each object instead (VisProg's knowledge tagging, drawn by TAG).

    Args:
        image: the image (usually a crop) to classify.
        categories: optional. Candidate names, e.g. ['cat', 'dog']: the answer is one of them or 'unknown'.
            One category word, e.g. ['animal'], ['vehicle'], ['food'], ['fruit'], ['drink'], ['furniture']: the
            answer is the everyday name of what it shows within that category ('cat', not 'tiger cat') or
            'unknown'. Use it for "what animal / which vehicle / what food is this?".
        object: optional objects (FACEDET, LOC, SEG, SELECT); each is labelled with its best candidate, one object
            per candidate, e.g. CLASSIFY(image=IMAGE, object=OBJ0, categories=LIST0). Names of people need CLIP.
    """
    if object is not None:
        from tools.classify_objects import classify_objects

        if not categories:  # each object by its own top ImageNet label
            tops = [top_labels(ctx, crop_box(image, b), k=1) for b in object.boxes]
            return object.relabelled([t[0][0] if t else "unknown" for t in tops], [t[0][1] if t else 0.0 for t in tops])
        return classify_objects(ctx, image, object, categories)
    if not categories:
        labels = top_labels(ctx, image, k=1)
        return labels[0][0] if labels else "unknown"
    if len(categories) == 1 and canonical(categories[0]) is None and category(categories[0]) is not None:
        return _name_within(ctx, image, categories[0])
    clip = ctx.models.clip()
    if clip is not None:
        ranked = cached(ctx, image, "clip-zero-shot", tuple(categories), lambda: clip.zero_shot(image, categories))
        return ranked[0][0]
    labels = top_labels(ctx, image, k=20)
    scores = [_category_score(ctx, image, c, labels) for c in categories]
    best = max(range(len(categories)), key=lambda i: scores[i])
    return categories[best] if scores[best] > 0 else "unknown"


@tool("COLOR")
def color(ctx, image: Image.Image, box: Detections | None = None) -> str:
    """Name the colour of the object in the best box, or of the main object of the image (or crop).

    Args:
        image: the image (or crop) to look at.
        box: optional boxes; the highest-scoring box's object is used (its own pixels, not the background).
            The answer is one of red, orange, yellow, gold, green, teal, cyan, blue, purple, pink, brown, beige,
            black, white, gray.
    """
    if box is not None and len(box):
        target = np.asarray(box.boxes[int(box.scores.argmax())], dtype=np.float32)
    else:
        target = np.array([0, 0, image.width, image.height], dtype=np.float32)
    key = tuple(round(float(v), 1) for v in target)
    return cached(ctx, image, "object-color", key, lambda: object_color(image, target))


@tool("REGIONS")
def regions(ctx, image: Image.Image) -> Regions:
    """Segment a simple scene (icons, diagrams, renders) into coloured shapes.

    Args:
        image: the image to segment; each region has a colour, a shape (circle, rectangle, triangle, other),
            an area, a box and a centroid.
    """
    return cached(ctx, image, "regions", (), lambda: segment(image))


@tool("TAG")
def tag(ctx, image: Image.Image, box: Detections | None = None,
        object: Detections | None = None) -> Image.Image:  # noqa: A002 - VisProg's argument
    """Draw labelled boxes on a copy of the image.

    Args:
        image: the image to draw on.
        box: the boxes to draw.
        object: VisProg's name for box, e.g. CLASSIFY's labelled objects.
    """
    if (box is None) == (object is None):
        raise ArgumentError("TAG needs the boxes to draw, once: box=BOX0 (or VisProg's object=OBJ0)")
    dets = object if object is not None else box
    out = draw_detections(image, dets)
    if dets.warnings:
        out.facts = [f"warning: {w}" for w in dets.warnings]  # e.g. faces left untagged: shown in the trace
    return out
