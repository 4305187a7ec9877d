"""Reading documents right: rank near-misses by the identified thing's words, and ground an answer
as an exact span of one document, cited with its line.

* ``rank`` orders retrieved documents by how many of the identified thing's keywords they name
  (and its qualifiers: colour, hypernyms), demoting documents that give the thing another colour;
  embedding similarity only breaks ties.
* ``ground`` takes the reader's answer and finds it, verbatim, in a document (the cited one first):
  a price, a year, a code or a name. An answer of the wrong kind (a name for "which year") or one
  whose sentence shares no word with the question or the thing is not grounded.
* ``cite_line`` finds the line of the source file that holds the span (only a line whose text is in
  the retrieved chunk, so a file edited after the KB was built is never quoted).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from retrieval.identify import Candidate
from retrieval.types import Hit
from retrieval.words import content_words, sentences, stems, tokens
from tools.colors import COLOR_NAMES

UNITS = ("years?|months?|weeks?|days?|hours?|minutes?|metres?|meters?|kilometres?|km|passengers?|spectators?|"
         "people|seats?|books|times")
KIND_RULES = (
    ("code", re.compile(r"\b(?:asset|register|registration|fleet|serial|plate|id)\s+(?:number|no|code)\b", re.I)),
    ("price", re.compile(r"\bhow much\b|\bcosts?\b|\bprice\b|\bfares?\b|\bfee\b", re.I)),
    ("year", re.compile(r"\b(?:which|what) year\b|\bwhen\b|\bborn\b|\bfounded\b|\bbuilt\b|\bcompleted\b", re.I)),
    ("number", re.compile(r"\bhow (?:many|old|long|tall|high|far|big)\b|\bnumber of\b", re.I)),
)
TYPED = {
    "code": re.compile(r"\b[A-Z]{1,4}-?\d{2,}\b"),
    "price": re.compile(r"\b\d+(?:[.,]\d+)?(?:\s+(?!a\b|an\b|the\b|and\b|is\b|per\b)[A-Za-z]+)?"),
    "year": re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})\b"),
    "number": re.compile(rf"\b\d+(?:[.,]\d+)?(?:\s+(?:{UNITS}))?(?:\s+old)?\b|\b(?:one|two|three|four|five|six|seven|"
                         rf"eight|nine|ten|eleven|twelve)\s+(?:{UNITS})\b", re.I),
}
MAX_FILE_BYTES = 2_000_000


def question_kind(question: str) -> str:
    """code | price | year | number | name: what the answer must look like."""
    for kind, rule in KIND_RULES:
        if rule.search(question):
            return kind
    return "name"


def _colours(words: set[str]) -> set[str]:
    return {c for c in COLOR_NAMES if c in words} | ({"gray"} if "grey" in words else set())


def relevance(text: str, cand: Candidate) -> tuple[int, int, int]:
    """(keywords named, qualifiers named, colour conflict) of one document for one candidate."""
    pool = set(stems(text))
    kw = sum(1 for k in cand.keywords if set(stems(k)) and set(stems(k)) <= pool)
    qual = sum(1 for q in cand.qualifiers if set(stems(q)) and set(stems(q)) <= pool)
    ours = _colours({q.lower() for q in cand.qualifiers})
    conflict = 0
    if ours and not (ours & pool) and kw:
        near = {w for s in sentences(text) if any(set(stems(k)) <= set(stems(s)) for k in cand.keywords)
                for w in stems(s)}
        conflict = int(bool(_colours(near) - ours))
    return kw, qual, conflict


def rank(hits: list[Hit], cand: Candidate) -> list[tuple[Hit, int]]:
    """Text documents naming the candidate, best first, each with its rank score (keywords x2 + qualifiers - conflict x2)."""
    scored = []
    for h in hits:
        kw, qual, conflict = relevance(h.text, cand)
        if kw:
            scored.append((h, 2 * kw + qual - 2 * conflict))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].score))
    return scored


@dataclass(frozen=True)
class Span:
    text: str  # exactly as the document writes it
    item_id: str
    source: str
    line: int | None  # 1-based line of the source file (or the JSONL record), when known
    quote: str  # that line, or the chunk's sentence holding the span

    def to_dict(self) -> dict:
        return asdict(self)


def _flex(text: str) -> re.Pattern:
    """``text`` as a whole-word pattern, any whitespace between words ("0 crowns" is not in "1.50 crowns")."""
    body = r"\s+".join(re.escape(w) for w in text.split())
    return re.compile(r"(?<![\w.,])" + body + r"(?![\w]|[.,]\d)", re.I)


def _support_words(question: str, cand: Candidate | None) -> set[str]:
    words = set(stems(" ".join(content_words(question))))
    if cand is not None:
        words |= {w for k in cand.keywords for w in stems(k)}
    return words


# Text that addresses the reader (an AI, "you") or gives it orders is an injection attempt, not a fact: a document
# holding such text grounds no answer, even where its words look like one ("all tickets cost 0 coins").
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.!?\n]{0,60}\b(?:instructions?|previous|above|rules?|list|documents?|prompt)\b"
    r"|\b(?:ai|a\.i\.|language model|llm|assistant|chatbot|model)s?\b[^.!?\n]{0,30}\b(?:reading|reads|must|should)\b"
    r"|\bsystem (?:message|prompt|rule)\b|\btell (?:everyone|the user|users)\b|\banswer (?:every|all|each) questions?\b"
    r"|\bdo not (?:mention|reveal|tell)\b[^.!?\n]{0,20}\b(?:this|these)\b|\byou are now\b|\bnew rule for\b",
    re.IGNORECASE)


def instructs(text: str) -> bool:
    """Whether ``text`` speaks to the assistant instead of stating facts (see ``_INSTRUCTION``)."""
    return bool(_INSTRUCTION.search(text))


def ground(answer: str, docs: list[Hit], *, question: str, cited: str | None = None,
           cand: Candidate | None = None) -> Span | None:
    """The answer as an exact span of a retrieved document whose sentence is about the question, or None.

    Documents that address the assistant (``instructs``) ground nothing: their "facts" are the injection."""
    kind = question_kind(question)
    ordered = sorted((d for d in docs if not instructs(d.text)), key=lambda h: h.id != cited)
    wanted: list[str] = []
    typed = TYPED.get(kind)
    if typed is not None:
        wanted = [m.group(0) for m in typed.finditer(answer)]
        if not wanted:
            return None  # "Marmalade" is no answer to "which year"
        wanted.sort(key=len, reverse=True)
    cleaned = answer.strip().strip(".").strip()
    if cleaned and (kind == "name" or cleaned not in wanted):
        wanted.insert(0, cleaned)
    support = _support_words(question, cand)
    for doc in ordered:
        for want in wanted:
            for sentence in sentences(doc.text):
                found = _flex(want).search(sentence)
                if found is None or not (set(stems(sentence)) - set(tokens(found.group(0)))) & support:
                    continue
                exact = found.group(0)
                if typed is not None and not typed.fullmatch(exact) and not typed.search(exact):
                    continue
                line, quote = cite_line(doc, exact, sentence)
                return Span(exact, doc.id, doc.source, line, quote)
    return None


def cite_line(hit: Hit, span: str, sentence: str = "") -> tuple[int | None, str]:
    """(line in the source, that line's text) for ``span``; the chunk sentence when no line can be trusted."""
    if hit.metadata.get("kind") == "jsonl" and isinstance(hit.metadata.get("line"), int):
        return hit.metadata["line"], sentence or hit.text
    path = Path(hit.source)
    chunk = " ".join(hit.text.split())
    try:
        if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES:
            best: tuple[int, int, str] | None = None
            for n, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
                line = " ".join(raw.split())
                if line and _flex(span).search(line) and line in chunk:
                    overlap = len(set(stems(line)) & set(stems(sentence)))
                    if best is None or overlap > best[0]:
                        best = (overlap, n, line)
            if best is not None:
                return best[1], best[2]
    except OSError:
        pass
    return None, sentence


def best_sentence(docs: list[Hit], question: str, cand: Candidate | None) -> tuple[Hit, str] | None:
    """The retrieved sentence sharing most words with the question and the thing (for a partial answer)."""
    support = _support_words(question, cand)
    best: tuple[int, Hit, str] | None = None
    for doc in docs:
        if instructs(doc.text):
            continue
        for s in sentences(doc.text):
            score = len(set(stems(s)) & support)
            if best is None or score > best[0]:
                best = (score, doc, s)
    return None if best is None or best[0] == 0 else (best[1], best[2])


def typed_guess(question: str, sentence: str) -> str | None:
    """The one typed value (year, price, code, number) a sentence holds for ``question``, if exactly one."""
    typed = TYPED.get(question_kind(question))
    if typed is None:
        return None
    found = {m.group(0) for m in typed.finditer(sentence)}
    return found.pop() if len(found) == 1 else None
