"""Word-level matching for the retrieval loop: tokens, stems, terms in a text, and proper names.

Embedding similarity finds documents *about* buses; telling "the blue buses of Azul Lines" from
"the green buses of Verde Express" needs the identified thing's own words. These helpers compare
texts word by word (plural-insensitive), so rules can rank near-miss documents and name entities.
"""

from __future__ import annotations

import re

from tools.vocabulary import singular

_TOKEN = re.compile(r"[a-z0-9]+(?:[.,'-][a-z0-9]+)*")
_NAME = re.compile(r"\b[A-Z]{1,4}-\d{2,}\b|\b[A-Z][\w'-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w'-]*)*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")

STOPWORDS = frozenset("""
a an the this that these those is are was were be been being do does did of in on at to for from by with
and or but not no as it its it's he she his her him they them their there here what which who whom whose
when where why how much many old one ones any some each every all about into over under than then so very
can could would should will shall may might must has have had i you we our your my me us like looks look
shown show shows picture photo photograph image pic shot kind sort type also known called name named
""".split())

# Sentence-initial capitalised words that are not names.
_NOT_NAMES = frozenset({"The", "A", "An", "Its", "It", "He", "She", "Her", "His", "Their", "They", "This", "That",
                        "These", "Those", "Each", "Every", "Our", "We", "You", "In", "On", "At", "From", "For"})


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; numbers keep their inner dots, commas and dashes (1.50, 31,000, ab-0123)."""
    return _TOKEN.findall(text.lower())


def stems(text: str) -> list[str]:
    return [singular(t) for t in tokens(text)]


def has_term(text_stems: list[str] | set[str], term: str) -> bool:
    """Whether every word of ``term`` occurs (plural-insensitive) in a text given as its stems."""
    words = stems(term)
    pool = text_stems if isinstance(text_stems, set) else set(text_stems)
    return bool(words) and all(w in pool for w in words)


def content_words(text: str) -> list[str]:
    """The words of ``text`` that are not function words, in order, without repeats."""
    out: list[str] = []
    for t in tokens(text):
        if t not in STOPWORDS and t not in out and (len(t) > 2 or t.isdigit()):
            out.append(t)
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def names_in(text: str) -> list[str]:
    """Proper names and codes in ``text`` ("Azul Lines", "Calle Mayor", "AB-0123"), in order, no repeats."""
    out: list[str] = []
    for found in _NAME.findall(text):
        name = found.strip()
        parts = name.split()
        while parts and parts[0] in _NOT_NAMES:
            parts = parts[1:]
        name = " ".join(parts)
        if not name or name.lower() in STOPWORDS or (len(parts) == 1 and len(name) < 3 and not name[-1].isdigit()):
            continue
        if name not in out:
            out.append(name)
    return out
