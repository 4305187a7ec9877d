"""SELECT over objects, as VisProg writes it: ``SELECT(image, object=OBJ0, query='dog,frisbee,grass', category=None)``.

Each comma-separated part of the query picks objects:

1. by label: the label is the word, a synonym, or falls under it ('girl' -> person, 'vehicle' -> bus,
   'street' -> road); colour words in the part keep the objects of that colour ('red bus'); when none has
   it, the named objects are kept as the closest match (VisProg's SELECT always takes its best match), with
   a warning;
2. otherwise by description with CLIP when it is configured (the object most like the text, as VisProg);
3. otherwise, offline: the objects of the part's colour ('man wearing a red suit' -> the red person), or
   the only object of the given category; failing that nothing is picked and the trace says why.

``category`` first narrows the objects to that kind (VisProg's 'person' in "the man wearing a red suit (person)").
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from tools.colors import inner_crop
from tools.stuff import stuff_words
from tools.types import Detections
from tools.vocabulary import ANY_OBJECT, labels_match, normalise_query, split_color


def label_matches(label: str, text: str) -> bool:
    """Whether an object labelled ``label`` is what ``text`` names (words, synonyms, hypernyms, stuff words)."""
    text = normalise_query(text)
    if not text:
        return False
    if text == normalise_query(label):
        return True
    stuff = stuff_words(text)
    if stuff:
        return label in stuff
    return labels_match(label, text)


def _by_color(image: Image.Image, pool: Detections, idx: list[int], colors: list[str]) -> list[int]:
    from tools.locate import box_has_color  # lazy: locate imports this module

    return [i for i in idx if all(box_has_color(image, pool.boxes[i], c) for c in colors)]


def _pick(ctx, image: Image.Image, pool: Detections, part: str, category: str | None) -> tuple[list[int], str]:
    """(indices into pool, what happened) for one part of the query."""
    colors, rest = split_color(part)
    colors = [c for c in colors if c not in {"dark", "light"}]
    everything = list(range(len(pool)))
    if not rest or rest in ANY_OBJECT:
        named = everything
    else:
        named = [i for i in everything if label_matches(pool.labels[i], rest)]
    if named:
        kept = _by_color(image, pool, named, colors) if colors else named
        if kept:
            return kept, ""
        if not category:  # VisProg's SELECT takes the closest match: the named objects, whatever their colour
            return named, (f"no '{rest}' here is {' and '.join(colors)}; kept the {len(named)} '{rest}' object(s) "
                           "as the closest match, as VisProg's SELECT does")
    clip = ctx.models.clip() if ctx is not None and getattr(ctx, "models", None) is not None else None
    if clip is not None and len(pool):
        crops = [inner_crop(image, b, margin=0.0) for b in pool.boxes]
        best = int(np.argmax(clip.similarity(crops, part)))
        return [best], f"CLIP chose the object most like '{part}'"
    if colors:
        kept = _by_color(image, pool, named or everything, colors)
        if kept:
            return kept, f"no object is labelled '{rest}'; kept the {' and '.join(colors)} ones"
    if category and len(pool) == 1:
        return [0], f"the only {category} stands for '{part}'"
    labels = ", ".join(sorted(set(pool.labels))) or "none"
    return [], (f"nothing picked for '{part}': no object is labelled so (labels: {labels}), and choosing by a "
                "description or a name needs CLIP (set embedder.clip_model to a local CLIP model)")


def select_objects(ctx, image: Image.Image, objects: Detections, query: str, category: str | None) -> Detections:
    pool, notes = objects, []
    if category:
        in_category = [i for i, label in enumerate(pool.labels) if label_matches(label, category)]
        if in_category:
            pool = pool[in_category]
            notes.append(f"chose among the {len(in_category)} '{category}' objects")
        else:
            notes.append(f"no object is a '{category}'; chose among all")
    chosen: list[int] = []
    warnings: list[str] = []
    for part in (p.strip() for p in query.split(",")):
        if not part:
            continue
        picked, why = _pick(ctx, image, pool, part, category)
        chosen += [i for i in picked if i not in chosen]
        if why and (not picked or why.startswith("no '")):
            warnings.append(why)
        elif why:
            notes.append(why)
    out = pool[chosen] if chosen else pool[[]]
    return out.with_notes(*notes).with_warnings(*warnings)
