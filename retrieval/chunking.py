"""Splitting documents into overlapping chunks of about ``size`` words.

Chunks are packed from whole sentences so a fact is rarely cut in half; the last sentences of
a chunk (up to ``overlap`` words) start the next one so a fact spanning a boundary is found
from either side. A sentence longer than ``size`` is split by words.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n{2,}")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def chunk_text(text: str, size: int = 120, overlap: int = 30) -> list[str]:
    if size <= 0 or overlap < 0 or overlap >= size:
        raise ValueError(f"chunk size {size} / overlap {overlap}: need 0 <= overlap < size")
    pieces: list[list[str]] = []
    for sentence in split_sentences(text):
        words = sentence.split()
        for start in range(0, len(words), size):
            pieces.append(words[start:start + size])
    chunks: list[str] = []
    current: list[list[str]] = []
    count = 0
    for piece in pieces:
        if current and count + len(piece) > size:
            chunks.append(" ".join(w for p in current for w in p))
            carry: list[list[str]] = []
            carried = 0
            for prev in reversed(current):  # keep trailing sentences as overlap
                if carried + len(prev) > overlap:
                    break
                carry.insert(0, prev)
                carried += len(prev)
            while carry and carried + len(piece) > size:  # never exceed size because of the overlap
                carried -= len(carry.pop(0))
            current, count = carry, carried
        current.append(piece)
        count += len(piece)
    if current:
        chunks.append(" ".join(w for p in current for w in p))
    return chunks
