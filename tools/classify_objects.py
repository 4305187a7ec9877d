"""CLASSIFY over objects (VisProg's knowledge tagging): each object named from a list of candidates.

``CLASSIFY(image=IMAGE, object=OBJ0, categories=LIST0)`` returns the objects labelled with their
class, which TAG draws. As in VisProg, each object takes its best-scoring candidate, and each
candidate is then kept for its best object only (one tag per name: "the seven dwarfs").

* With CLIP configured (embedder.clip_model), candidates are scored zero-shot on each object's crop,
  whatever they are: people's names, cuisines, logos.
* Offline, candidates that are colour words are read from the object's own pixels, and candidates that
  ImageNet or COCO knows (or a category over them: 'animal', 'vehicle') from the classifier and the
  detector. Names of people and anything else no offline model knows cannot be told apart: the
  objects come back untagged, with a warning in the trace saying that CLIP is needed.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image

from tools.categories import category
from tools.colors import COLOR_NAMES, object_color
from tools.runtime import cached, crop_box
from tools.types import Detections
from tools.vocabulary import canonical, normalise_query, singular

CLIP_HINT = "set embedder.clip_model to a local CLIP model"


def _phrase(text: str) -> str:
    words = normalise_query(text).split()
    return " ".join(words[:-1] + [singular(words[-1])]) if words else ""


@functools.lru_cache(maxsize=1)
def _imagenet_phrases() -> frozenset[str]:
    """ImageNet labels and their head nouns ('running shoe' and 'shoe'), singular, lower case."""
    from tools.classify_efficientnet import imagenet_categories

    phrases = {_phrase(name) for name in imagenet_categories()}
    return frozenset(phrases | {p.split()[-1] for p in phrases if p})


def _color_word(text: str) -> str | None:
    from tools.locate import COLOR_ALIASES  # lazy: locate pulls in the detector helpers

    word = normalise_query(text)
    word = COLOR_ALIASES.get(word, word)
    return word if word in COLOR_NAMES else None


def known_offline(candidate: str) -> bool:
    """Whether an offline model can recognise this candidate: a colour, a COCO/ImageNet word or a category."""
    if _color_word(candidate) or canonical(candidate) is not None or category(candidate) is not None:
        return True
    return _phrase(candidate) in _imagenet_phrases()


def _offline_scores(ctx, image: Image.Image, objects: Detections, candidates: list[str]) -> np.ndarray:
    from tools.perception import _category_score, top_labels  # lazy: perception calls this module

    scores = np.zeros((len(objects), len(candidates)), dtype=np.float32)
    for i, box in enumerate(objects.boxes):
        crop = crop_box(image, box)
        labels = None
        colour = None
        for j, cand in enumerate(candidates):
            wanted = _color_word(cand)
            if wanted is not None:
                if colour is None:
                    key = tuple(round(float(v), 1) for v in box)
                    colour = cached(ctx, image, "object-color", key, lambda box=box: object_color(image, box))
                scores[i, j] = 1.0 if colour == wanted else 0.0
            elif known_offline(cand):
                labels = labels if labels is not None else top_labels(ctx, crop, k=20)
                scores[i, j] = _category_score(ctx, crop, cand, labels)
    return scores


def _clip_scores(clip, image: Image.Image, objects: Detections, candidates: list[str]) -> np.ndarray:
    scores = np.zeros((len(objects), len(candidates)), dtype=np.float32)
    for i, box in enumerate(objects.boxes):
        ranked = dict(clip.zero_shot(crop_box(image, box), candidates))
        scores[i] = [ranked[c] for c in candidates]
    return scores


def assign(scores: np.ndarray, candidates: list[str]) -> list[tuple[int, str, float]]:
    """VisProg's assignment: (object, class, score) with each object's best class, one object per class.

    With a single candidate (scored against 'other'), the object most like it takes it.
    """
    if len(candidates) == 2 and candidates[1] == "other":
        i = int(np.argmax(scores[:, 0]))
        return [(i, candidates[0], float(scores[i, 0]))] if scores[i, 0] > 0 else []
    best: dict[str, tuple[int, float]] = {}
    for i, row in enumerate(scores):
        j = int(np.argmax(row))
        if row[j] > 0 and (candidates[j] not in best or row[j] > best[candidates[j]][1]):
            best[candidates[j]] = (i, float(row[j]))
    return sorted(((i, c, s) for c, (i, s) in best.items()), key=lambda t: -t[2])


def classify_objects(ctx, image: Image.Image, objects: Detections, categories: list[str]) -> Detections:
    candidates = list(dict.fromkeys(c.strip() for c in categories if c and c.strip()))
    if not len(objects):
        return objects.with_notes("no objects to classify")
    if not candidates:
        return objects.with_warnings("no categories to choose from (did LIST return nothing?); returned untagged")
    what = "faces" if set(objects.labels) == {"face"} else "objects"
    clip = ctx.models.clip()
    if clip is not None:
        cands = candidates + ["other"] if len(candidates) == 1 else candidates
        scores, method = _clip_scores(clip, image, objects, cands), "CLIP zero-shot"
    else:
        known = [c for c in candidates if known_offline(c)]
        if what == "faces" or not known:
            shown = ", ".join(repr(c) for c in candidates[:4]) + (", ..." if len(candidates) > 4 else "")
            return objects.with_warnings(
                f"telling {what} apart by names such as {shown} needs CLIP ({CLIP_HINT}); "
                f"the {len(objects)} {what} are returned untagged")
        cands = candidates + ["other"] if len(candidates) == 1 else candidates
        scores = _offline_scores(ctx, image, objects, cands[: len(candidates)])
        if len(cands) > len(candidates):
            scores = np.concatenate([scores, np.zeros((len(objects), 1), np.float32)], axis=1)
        method = "offline classifier, detector and colour namer"
        if len(known) < len(candidates):
            skipped = [c for c in candidates if c not in known][:6]
            objects = objects.with_warnings(f"offline, these candidates cannot be recognised ({CLIP_HINT} for "
                                            f"them): {', '.join(skipped)}")
    picked = assign(scores, cands)
    if not picked:
        return objects.with_warnings(f"no object matched any of the {len(candidates)} candidates ({method}); "
                                     "returned untagged")
    idx = [i for i, _, _ in picked]
    return objects[idx].relabelled([c for _, c, _ in picked], [s for _, _, s in picked]).with_notes(
        f"tagged by {method}")
