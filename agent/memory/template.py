"""Program templates with typed slots: mask a question, abstract a program, fill it for a new question.

A question's *slot words* are what changes between questions of one shape: object names
(``OBJ``), colours (``COL``), numbers (``NUM``) and quoted text (``TXT``); a program literal
equal to the whole question is the ``QUESTION`` slot (e.g. a VQA step). A template is the
question with slot words masked plus the program with the matching literals replaced by
placeholders (``«OBJ0»``). A slot word the program does not use is *not* a slot: it stays a
fixed word that a new question must repeat ("exactly one of the images" is not a number to vary).

Instantiation fills each placeholder from the new question, in order of appearance, with a
sanitised value (words only, a colour from the palette, digits), so a template can never
produce more than a program literal; the caller still parses and checks the result.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tools.vocabulary import ANY_OBJECT, COLOR_WORDS, HALVES, canonical

NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}

# Words that do not change a question's program: articles, copulas, "in the picture", "can you see".
FILLER = frozenset(
    "a an the this that these those is are was were be been there here in on of at to it its please "
    "image images picture pictures photo photos photograph pic scene shown show shows showing can could you seen "
    "see visible do does any some me tell find we i present contain contains containing".split())
# Spelling variants that mean the same to a program.
SAME = {"which": "what", "colour": "color", "colours": "color", "colors": "color", "grey": "gray", "no": "not"}
# Shape words of diagrams (answered by SHAPES, not the photo detector).
SHAPE_WORDS = frozenset("circle rectangle triangle square ellipse oval star hexagon pentagon diamond".split())
# Words that are never object names even when the synonym table would map them.
NOT_OBJECTS = frozenset(ANY_OBJECT | HALVES | {"side", "half", "one", "other", "top", "bottom"})

SLOT_TYPES = ("OBJ", "COL", "NUM", "TXT", "SHP")
_QUOTED = re.compile(r"'([^'\"]{1,200})'|\"([^'\"]{1,200})\"")
_WORD = re.compile(r"[a-z0-9]+")
_PLACEHOLDER = re.compile(r"«(OBJ|COL|NUM|TXT|SHP)(\d+)»|«QUESTION»")
_SAFE_TEXT = re.compile(r"[^\w .,:;!?%&/()+#@-]")


@dataclass(frozen=True)
class Mention:
    kind: str  # OBJ | COL | NUM | TXT | SHP
    text: str  # as written in the question (lowercased)
    value: str  # what a program would use: canonical label, colour, digits, text
    start: int  # token index in the question


@dataclass(frozen=True)
class Parsed:
    """A question split into tokens with its slot mentions found."""

    tokens: tuple[str, ...]  # lowercased words; a quoted span is one token "«TXT»"
    mentions: tuple[Mention, ...]
    question: str

    def masked(self, used: frozenset[int] | None = None) -> tuple[str, ...]:
        """Tokens with slot words replaced by their type; only mentions in ``used`` when given."""
        out = list(self.tokens)
        for i, m in enumerate(self.mentions):
            if used is None or i in used:
                span = len(m.text.split()) if m.kind != "TXT" else 1
                out[m.start:m.start + span] = [f"«{m.kind}»"] + [""] * (span - 1)
        return tuple(t for t in out if t)

    def embed_text(self) -> str:
        """The form embedded for retrieval: object names read as "thing", other slots as their type."""
        names = {"«OBJ»": "thing", "«COL»": "color", "«NUM»": "number", "«TXT»": "text", "«SHP»": "shape"}
        return " ".join(names.get(t, t) for t in self.masked())


def _object_at(words: list[str], i: int) -> tuple[str, int] | None:
    """The longest detector-vocabulary phrase starting at word i: (label, length)."""
    for n in (3, 2, 1):
        phrase = " ".join(words[i:i + n])
        if len(words[i:i + n]) < n or words[i] in NOT_OBJECTS or words[i] in FILLER:
            continue
        label = canonical(phrase)
        if label is None:
            continue
        # "red car" is found at "car"; a phrase must need its first word.
        if n > 1 and canonical(" ".join(words[i + 1:i + n])) == label:
            continue
        return label, n
    return None


def parse_question(question: str) -> Parsed:
    text = question.lower().replace("’", "'")
    tokens: list[str] = []
    mentions: list[Mention] = []
    pos = 0
    for match in _QUOTED.finditer(text):
        tokens += _words(text[pos:match.start()])
        quoted = (match.group(1) or match.group(2)).strip()
        mentions.append(Mention("TXT", quoted, quoted, len(tokens)))
        tokens.append("«TXT»")
        pos = match.end()
    tokens += _words(text[pos:])
    i = 0
    while i < len(tokens):
        word = tokens[i]
        prev = tokens[i - 1] if i else ""
        if word == "«TXT»":
            i += 1
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        fruit = word == "orange" and prev in {"the", "an", "many"} and not (
            nxt in {"shape", "shapes"} | SHAPE_WORDS or canonical(nxt) is not None)
        if word in COLOR_WORDS and word not in {"dark", "light"} and not fruit:
            mentions.append(Mention("COL", word, "gray" if word == "grey" else word, i))
            i += 1
            continue
        shape = word[:-1] if word.endswith("s") and word[:-1] in SHAPE_WORDS else word
        if shape in SHAPE_WORDS:
            mentions.append(Mention("SHP", word, shape, i))
            i += 1
            continue
        if word.isdigit() or word in NUMBER_WORDS:
            mentions.append(Mention("NUM", word, str(int(word) if word.isdigit() else NUMBER_WORDS[word]), i))
            i += 1
            continue
        found = _object_at(tokens, i)
        if found:
            label, n = found
            mentions.append(Mention("OBJ", " ".join(tokens[i:i + n]), label, i))
            i += n
            continue
        i += 1
    mentions.sort(key=lambda m: m.start)
    return Parsed(tuple(tokens), tuple(mentions), question.strip())


def _words(text: str) -> list[str]:
    return [SAME.get(w, w) for w in _WORD.findall(text)]


def content_words(tokens: tuple[str, ...]) -> frozenset[str]:
    """What must be equal between two questions for one program to answer both."""
    return frozenset(t for t in tokens if t not in FILLER)


@dataclass(frozen=True)
class Template:
    """A program abstracted over its question's slot words."""

    question: str  # the example question it came from
    program: str  # with «OBJ0», «COL0», «NUM0», «TXT0», «QUESTION» placeholders
    slots: tuple[str, ...]  # slot kinds in question order, e.g. ("OBJ", "OBJ")
    forms: tuple[str, ...]  # per slot: "label" (detector label) or "word" (as written, singular)
    key: tuple[str, ...]  # masked question tokens (slot words as «KIND»)
    n_images: int

    @property
    def id(self) -> str:
        raw = "\x1f".join(self.key) + "\x1e" + self.program + f"\x1e{self.n_images}"
        return hashlib.sha1(raw.encode()).hexdigest()[:10]

    @property
    def words(self) -> frozenset[str]:
        return content_words(self.key)


def make_template(question: str, program: str, n_images: int) -> Template:
    """Abstract ``program`` over the slot words of ``question`` that it uses."""
    parsed = parse_question(question)
    counters = dict.fromkeys(SLOT_TYPES, 0)
    slots, forms, used = [], [], set()
    whole = _quoted_equal(program, parsed.question)
    out = whole or program
    for index, m in enumerate(parsed.mentions):
        replaced, form = _abstract(out, m, f"«{m.kind}{counters[m.kind]}»")
        if replaced == out:
            if not whole:
                continue  # the program does not use this word: it stays a fixed word of the question
            form = "question"  # carried into the program by the «QUESTION» literal
        out = replaced
        used.add(index)
        slots.append(m.kind)
        forms.append(form)
        counters[m.kind] += 1
    return Template(parsed.question, out, tuple(slots), tuple(forms), parsed.masked(frozenset(used)), n_images)


def _abstract(program: str, m: Mention, placeholder: str) -> tuple[str, str]:
    if m.kind == "NUM":
        pattern = re.compile(rf"(?<![\w{{.'\"]){re.escape(m.value)}(?![\w}}.'\"])")
        return pattern.sub(placeholder, program), "digits"
    candidates = [(m.value, "label"), (m.text, "word")] if m.kind == "OBJ" else [(m.value, "word")]
    for literal, form in candidates:
        pattern = re.compile(rf"(['\"]){re.escape(literal)}\1", re.IGNORECASE)
        if pattern.search(program):
            return pattern.sub(lambda mt: f"{mt.group(1)}{placeholder}{mt.group(1)}", program), form
    return program, ""


def _quoted_equal(program: str, question: str) -> str | None:
    for quote in ("'", '"'):
        literal = f"{quote}{question}{quote}"
        if literal in program:
            return program.replace(literal, f"{quote}«QUESTION»{quote}")
    return None


def fill(template: Template, question: str) -> str | None:
    """The template's program for ``question``, or None when its slots do not fill from it.

    Every slot kind must appear in the question the same number of times and in the same
    order, and the question's other words must be the template's (modulo filler words).
    """
    parsed = parse_question(question)
    by_kind: dict[str, list[Mention]] = {}
    for m in parsed.mentions:
        by_kind.setdefault(m.kind, []).append(m)
    chosen: list[Mention] = []
    counters = dict.fromkeys(SLOT_TYPES, 0)
    for kind in template.slots:
        pool = by_kind.get(kind, [])
        if counters[kind] >= len(pool):
            return None
        chosen.append(pool[counters[kind]])
        counters[kind] += 1
    used = frozenset(i for i, m in enumerate(parsed.mentions) if m in chosen)
    if content_words(parsed.masked(used)) != template.words:
        return None
    if [m.kind for m in sorted(chosen, key=lambda m: m.start)] != list(template.slots):
        return None
    values = {}
    counters = dict.fromkeys(SLOT_TYPES, 0)
    for m, form in zip(chosen, template.forms, strict=True):
        value = m.value if form == "question" else _value(m, form)
        if value is None:
            return None
        values[f"{m.kind}{counters[m.kind]}"] = value
        counters[m.kind] += 1
    safe_question = _SAFE_TEXT.sub(" ", parsed.question)[:300]

    def put(match: re.Match) -> str:
        if match.group(0) == "«QUESTION»":
            return safe_question
        return values.get(f"{match.group(1)}{match.group(2)}", match.group(0))

    program = _PLACEHOLDER.sub(put, template.program)
    return None if "«" in program else program


def _value(m: Mention, form: str) -> str | None:
    if m.kind == "OBJ":
        from tools.vocabulary import singular

        value = m.value if form == "label" else " ".join(m.text.split()[:-1] + [singular(m.text.split()[-1])])
        return value if re.fullmatch(r"[a-z0-9 ]{1,40}", value) else None
    if m.kind == "COL":
        return m.value if m.value in COLOR_WORDS | {"gray"} else None
    if m.kind == "NUM":
        return m.value if m.value.isdigit() else None
    if m.kind == "SHP":
        return m.value if m.value in SHAPE_WORDS else None
    text = _SAFE_TEXT.sub(" ", m.value).strip()[:100]
    return text or None
