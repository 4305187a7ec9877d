"""Naming the thing a question asks about from everything the vision tools know.

A two-hop question ("who operates the vehicle in this picture?") first needs the photo's thing in
words a document would use. The words come, in this order of trust, from:

1. the **detector**: its label ("bus"), the label's everyday name and hypernyms ("vehicle", from
   ``tools.categories``), the object's own colour ("blue"), and the **OCR** text written on it
   (an operator's name, a fleet number, a ship's name);
2. **OCR** text elsewhere in the picture;
3. the **classifier**, only where the detector says nothing about what the question asks for
   (its top ImageNet label is a guess: "police van" for a bus).

A KB photo that matches the input image (``retrieval.grounding``) goes before all of these.
``candidates`` returns them as an ordered list; the loop searches with the first and moves to the
next when no document names it. ``percept_from_facts`` reads the same facts back from the text
the KB describer writes ("Objects: 1 bus (blue)"), for callers that only have that text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retrieval.words import STOPWORDS, stems, tokens
from tools.categories import categories_of, category, common_name
from tools.vocabulary import canonical, singular

if TYPE_CHECKING:
    from PIL import Image

    from tools.protocols import Models

Box = tuple[float, float, float, float]

# Verbs that say which kind of thing the question is about ("what they wear" -> clothing).
VERB_TARGETS = {"wear": "clothing", "wears": "clothing", "wearing": "clothing", "worn": "clothing",
                "ride": "vehicle", "rides": "vehicle", "riding": "vehicle", "drive": "vehicle", "drives": "vehicle",
                "driven": "vehicle", "drink": "drink", "drinks": "drink", "eat": "food", "eats": "food"}
GENERIC_CATEGORIES = {"container"}  # true of a motorcycle and a cup alike: says nothing
MIN_DETECTION = 0.3
MIN_TEXT_CONFIDENCE = 0.8
MIN_CLASS_PROB = 0.1
MAX_CANDIDATES = 4


@dataclass(frozen=True)
class SeenObject:
    label: str
    score: float
    box: Box | None = None
    colour: str = ""
    text: str = ""  # OCR text inside the box


@dataclass(frozen=True)
class Percept:
    """What the vision tools found in one picture."""

    objects: tuple[SeenObject, ...] = ()
    classes: tuple[tuple[str, float], ...] = ()  # classifier top-k over the whole picture
    text: str = ""  # OCR text outside every object box
    colours: tuple[str, ...] = ()  # the picture's dominant colours
    notes: tuple[str, ...] = ()  # tools that were unavailable


@dataclass(frozen=True)
class Candidate:
    """One way of naming the photo's thing; the loop searches the KB with ``name``."""

    name: str  # "blue bus 'cero emisiones'"
    keywords: tuple[str, ...]  # a document about it names at least one of these
    qualifiers: tuple[str, ...] = ()  # colour, hypernyms: rank near-miss documents
    source: str = "detector"  # photo | detector | ocr | classifier
    evidence: str = ""  # what the tools said, for the trace and the prompt
    box: Box | None = None
    linked: tuple[str, ...] = ()  # item ids a matched KB photo brings in

    def to_dict(self) -> dict:
        return {"name": self.name, "keywords": list(self.keywords), "qualifiers": list(self.qualifiers),
                "source": self.source, "evidence": self.evidence, "linked": list(self.linked)}


@dataclass(frozen=True)
class Targets:
    """What the question says the photo's thing is: detector labels, categories and plain words."""

    labels: frozenset[str]
    categories: frozenset[str]
    words: frozenset[str]

    def matches(self, label: str) -> bool:
        if label in self.labels or singular(label) in self.words or common_name(label) in self.words:
            return True
        return bool((set(categories_of(label)) - GENERIC_CATEGORIES) & self.categories)


def question_targets(question: str) -> Targets:
    labels, cats, plain = set(), set(), set()
    toks = [t for t in tokens(question) if t not in STOPWORDS]
    for i, tok in enumerate(toks):
        for phrase in ((f"{tok} {toks[i + 1]}",) if i + 1 < len(toks) else ()) + (tok,):
            found = canonical(phrase)
            if found:
                labels.add(found)
            cat = category(phrase)
            if cat:
                cats.add(cat)
        if tok in VERB_TARGETS:
            cats.add(VERB_TARGETS[tok])
        plain.add(singular(tok))
    return Targets(frozenset(labels), frozenset(cats), frozenset(plain))


def _text_words(text: str) -> list[str]:
    """OCR tokens worth searching for: words of 3+ letters and numbers; noise like 'M131L/SDUILLR' is dropped."""
    out = []
    for raw in re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*", text):
        if (raw.isalpha() and len(raw) >= 3) or (raw.isdigit() and len(raw) >= 2) or re.fullmatch(r"[A-Za-z]{1,4}-?\d{2,}", raw):
            if raw not in out:
                out.append(raw)
    return out


def _label_words(label: str) -> list[str]:
    words = [label]
    if common_name(label) != label:
        words.append(common_name(label))
    return words


def _hypernyms(label: str) -> list[str]:
    return [c for c in categories_of(label) if c not in GENERIC_CATEGORIES and c != label]


def _detector_candidate(obj: SeenObject) -> Candidate:
    text = " ".join(_text_words(obj.text))
    name = " ".join(w for w in (obj.colour, obj.label) if w) + (f" '{text}'" if text else "")
    evidence = f"detector: {obj.label} ({obj.score:.2f})" + (f", colour {obj.colour}" if obj.colour else "") + \
        (f", hypernyms {', '.join(_hypernyms(obj.label))}" if _hypernyms(obj.label) else "") + \
        (f", text on it '{text}'" if text else "")
    return Candidate(name, tuple(_label_words(obj.label) + _text_words(obj.text)),
                     tuple(w for w in [obj.colour, *_hypernyms(obj.label)] if w), "detector", evidence, obj.box)


def _class_candidate(label: str, prob: float, colour: str) -> Candidate:
    words = _label_words(label)
    name = " ".join(w for w in (colour, label if common_name(label) in label else f"{label} {common_name(label)}") if w)
    evidence = f"classifier: {label} ({prob:.2f})" + (f", colour {colour}" if colour else "")
    return Candidate(name, tuple(words), tuple(w for w in [colour, *_hypernyms(label)] if w), "classifier", evidence)


def _ocr_candidate(text: str, colours: tuple[str, ...]) -> Candidate | None:
    words = _text_words(text)
    if not words:
        return None
    joined = " ".join(words)
    return Candidate(f"'{joined}'", tuple(words), tuple(c for c in colours if c), "ocr",
                     f"text in the picture '{joined}'" + (f", colours {', '.join(colours)}" if colours else ""))


def _area(obj: SeenObject) -> float:
    if obj.box is None:
        return 0.0
    return max(0.0, obj.box[2] - obj.box[0]) * max(0.0, obj.box[3] - obj.box[1])


def candidates(question: str, percept: Percept, *, first: list[Candidate] | None = None,
               limit: int = MAX_CANDIDATES) -> list[Candidate]:
    """Ways of naming the thing ``question`` asks about, most trusted first (see the module docstring)."""
    targets = question_targets(question)
    objects = sorted((o for o in percept.objects if o.score >= MIN_DETECTION), key=lambda o: -_area(o) * o.score)
    person_asked = "person" in targets.labels
    matched = [o for o in objects if targets.matches(o.label)]
    matched.sort(key=lambda o: o.label == "person")  # "what these men wear": the tie tells more than the men
    others = [o for o in objects if o not in matched and (o.label != "person" or person_asked)]
    people = [o for o in objects if o not in matched and o not in others]
    main_colour = next((o.colour for o in objects if o.colour and o.label != "person"), "") or \
        next((c for c in percept.colours if c not in ("black", "white", "gray")), "")
    classes = [(lab, p) for lab, p in percept.classes if p >= MIN_CLASS_PROB]
    class_matched = [(lab, p) for lab, p in classes if targets.matches(lab)]

    out: list[Candidate] = list(first or [])
    out += [_detector_candidate(o) for o in matched]
    if not matched:  # the detector is silent about what the question asks for: the classifier may not be
        out += [_class_candidate(lab, p, main_colour) for lab, p in class_matched]
    ocr = _ocr_candidate(percept.text, percept.colours)
    if ocr is not None:
        out.append(ocr)
    out += [_detector_candidate(o) for o in others]
    if not matched:
        out += [_class_candidate(lab, p, main_colour) for lab, p in classes if (lab, p) not in class_matched]
    out += [_detector_candidate(o) for o in people]
    unique: list[Candidate] = []
    for cand in out:
        if all(set(stems(cand.name)) != set(stems(u.name)) for u in unique):
            unique.append(cand)
    return unique[:limit]


# -- perception -----------------------------------------------------------------------------------

def _inside(box: Box, point: tuple[float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def perceive(image: Image.Image, hub: Models) -> Percept:
    """Run detector (+ each object's colour), OCR (assigned to the smallest box around it) and classifier."""
    from tools.colors import dominant_colors, object_color

    rgb = image.convert("RGB")
    notes: list[str] = []

    def safely(name: str, fn: Callable[[], Any], empty: Any) -> Any:
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - a missing tool makes identification poorer, never fatal
            notes.append(f"{name} unavailable: {type(exc).__name__}")
            return empty

    dets = safely("detector", lambda: hub.detector().detect(rgb), None)
    lines = safely("ocr", lambda: [ln for ln in hub.ocr().read(rgb) if ln.confidence >= MIN_TEXT_CONFIDENCE], [])
    classes = safely("classifier", lambda: hub.classifier().classify(rgb, 3), [])
    boxes = [] if dets is None else [(lab, float(s), tuple(float(v) for v in b))
                                     for lab, s, b in zip(dets.labels, dets.scores, dets.boxes, strict=True)]
    order = sorted(range(len(boxes)), key=lambda i: _area(SeenObject("", 0, boxes[i][2])))  # smallest first
    on_object: dict[int, list[str]] = {i: [] for i in range(len(boxes))}
    loose: list[str] = []
    for line in lines:
        centre = ((line.box[0] + line.box[2]) / 2, (line.box[1] + line.box[3]) / 2)
        owner = next((i for i in order if boxes[i][0] != "person" and _inside(boxes[i][2], centre)), None)
        (on_object[owner] if owner is not None else loose).append(line.text)
    objects = tuple(SeenObject(lab, s, box, safely("colour", lambda box=box: object_color(rgb, box), ""),
                               " ".join(on_object[i])) for i, (lab, s, box) in enumerate(boxes))
    colours = tuple(safely("colour", lambda: dominant_colors(rgb), []))
    return Percept(objects, tuple((str(lab), float(p)) for lab, p in classes), " ".join(loose), colours, tuple(notes))


_OBJECT_FACT = re.compile(r"\b(\d+)\s+([a-z][a-z ]*?)\s*\((\w+)\)")
_FIELD = re.compile(r"(Looks like|Text in image):\s*(.*?)(?:\.\s+(?=[A-Z][a-z]+(?: [a-z]+)*:)|\.?$)", re.S)


def percept_from_facts(facts: str) -> Percept:
    """The facts the KB describer writes ("Objects: 1 bus (blue). Looks like: minibus. Text in image: ...")."""
    objects = tuple(SeenObject(label.strip(), 1.0, None, colour) for _, label, colour in _OBJECT_FACT.findall(facts))
    fields = {name: value.strip() for name, value in _FIELD.findall(facts)}
    classes = tuple((c.strip(), 0.5) for c in fields.get("Looks like", "").split(",") if c.strip())
    return Percept(objects, classes, fields.get("Text in image", ""))
