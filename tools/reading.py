"""Reading layout: OCR's text that keeps its lines, and rules that pick lines by size and position.

The OCR tool answers with a ``ReadText``: a ``str`` (the lines in reading order, so EVAL, VQA and
every other caller use it as plain text) that also keeps the ``TextLine``s with their boxes. Its
``facts`` describe each line's size and box in the trace, one line per fact, in a fixed format that
``lines_from_facts`` reads back; so a step dict (JSON, checkpointed) still knows the layout.

Titles, headings and "the large words" are the tallest rows; "the first line" and "the last line"
are rows in reading order. A row is what a reader sees as one line, even when OCR split it in pieces.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence

from tools.ocr_rapid import TextLine, reading_order, text_rows

MAX_FACTS = 50  # the trace keeps at most 50 facts per step
LARGE_SHARE = 0.75  # a row counts as large when at least this share of the tallest row's height
SIZE_CONTRAST = 1.25  # the tallest row must be this much taller than the typical row to stand out
_FACT = re.compile(
    r"line (\d+)/(\d+): (\d+) px high, box \((-?\d+), (-?\d+), (-?\d+), (-?\d+)\), confidence ([\d.]+): (.*)", re.S)


class ReadText(str):
    """Text read from an image, in reading order, that remembers its lines (text, box, confidence)."""

    lines: tuple[TextLine, ...]

    def __new__(cls, text: str = "", lines: Iterable[TextLine] = ()) -> ReadText:
        obj = super().__new__(cls, text)
        obj.lines = tuple(lines)
        return obj

    @classmethod
    def from_lines(cls, lines: Iterable[TextLine]) -> ReadText:
        ordered = reading_order(list(lines))
        return cls("\n".join(line.text for line in ordered), ordered)

    @property
    def facts(self) -> list[str]:
        return layout_facts(self.lines)


def layout_facts(lines: Sequence[TextLine]) -> list[str]:
    """One fact per line: its size and box, then its text (the format ``lines_from_facts`` reads)."""
    n = len(lines)
    return [f"line {i}/{n}: {round(t.height)} px high, box ({', '.join(str(round(v)) for v in t.box)}), "
            f"confidence {t.confidence:.2f}: {' '.join(t.text.split())}"
            for i, t in enumerate(lines[:MAX_FACTS], start=1)]


def lines_from_facts(facts: Iterable[object]) -> list[TextLine]:
    """The lines described by ``layout_facts`` (other facts are ignored)."""
    lines = []
    for fact in facts:
        match = _FACT.fullmatch(fact) if isinstance(fact, str) else None
        if match:
            x1, y1, x2, y2 = (float(match.group(k)) for k in range(4, 8))
            lines.append(TextLine(match.group(9), (x1, y1, x2, y2), float(match.group(8))))
    return lines


def lines_from_text(text: str) -> list[TextLine]:
    """Lines of plain text without a layout: equal sizes, one row each, in the given order."""
    rows = [" ".join(part.split()) for part in text.splitlines()]
    return [TextLine(row, (0.0, 20.0 * i, 100.0, 20.0 * i + 10), 1.0) for i, row in enumerate(r for r in rows if r)]


def rows_of(lines: Sequence[TextLine]) -> list[TextLine]:
    """Each visual row as one line: its pieces joined left to right, the box around them, the tallest height."""
    out = []
    for row in text_rows(list(lines)):
        box = (min(t.box[0] for t in row), min(t.box[1] for t in row), max(t.box[2] for t in row),
               max(t.box[3] for t in row))
        height = max(t.height for t in row)
        top = (box[1] + box[3]) / 2 - height / 2  # the row's box is as tall as its tallest piece
        out.append(TextLine(" ".join(t.text for t in row), (box[0], top, box[2], top + height),
                            min(t.confidence for t in row)))
    return out


def _stands_out(rows: Sequence[TextLine]) -> bool:
    heights = [r.height for r in rows]
    return len(rows) > 1 and max(heights) >= SIZE_CONTRAST * statistics.median(heights)


def large_rows(lines: Sequence[TextLine]) -> list[TextLine]:
    """The rows in the largest type, in reading order (every row when no size stands out)."""
    rows = rows_of(lines)
    if not _stands_out(rows):
        return rows
    tallest = max(r.height for r in rows)
    return [r for r in rows if r.height >= LARGE_SHARE * tallest]


def title_rows(lines: Sequence[TextLine]) -> list[TextLine]:
    """A title or heading: the first run of consecutive rows in the largest type (the first row when no size
    stands out)."""
    rows = rows_of(lines)
    if not rows:
        return []
    if not _stands_out(rows):
        return rows[:1]
    tallest = max(r.height for r in rows)
    run: list[TextLine] = []
    for row in rows:
        if row.height >= LARGE_SHARE * tallest:
            run.append(row)
        elif run:
            break
    return run


def first_row(lines: Sequence[TextLine]) -> list[TextLine]:
    return rows_of(lines)[:1]


def last_row(lines: Sequence[TextLine]) -> list[TextLine]:
    return rows_of(lines)[-1:]


def joined(lines: Iterable[TextLine]) -> str:
    return " ".join(" ".join(t.text.split()) for t in lines).strip()
