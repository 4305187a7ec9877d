"""Text reading with RapidOCR (PP-OCR detection + recognition on onnxruntime, models in the wheel)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class TextLine:
    """One line of text as OCR found it: the words, their box (xyxy pixels) and the recogniser's confidence.

    The box's height is the text's size: titles and large words have the tallest lines.
    """

    text: str
    box: tuple[float, float, float, float]  # xyxy
    confidence: float

    @property
    def height(self) -> float:
        return max(0.0, self.box[3] - self.box[1])

    @property
    def center_y(self) -> float:
        return (self.box[1] + self.box[3]) / 2


def text_rows(lines: list[TextLine]) -> list[list[TextLine]]:
    """Lines grouped into visual rows (vertical centres within half a line), top to bottom, each left to right."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda t: t.center_y):
        if rows:
            last = rows[-1][-1]
            if abs(line.center_y - last.center_y) < max(1.0, line.height) / 2:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda t: t.box[0]) for row in rows]


def reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Top-to-bottom, then left-to-right for lines whose vertical centres are within half a line."""
    return [t for row in text_rows(lines) for t in row]


class RapidOCRReader:
    source = "rapidocr"

    def __init__(self, min_confidence: float = 0.5) -> None:
        from rapidocr import RapidOCR

        # It logs every model load at INFO, and resets its logger's level from its own config.
        # "error": an image without text is no warning, it is an answer (no lines)
        self.engine = RapidOCR(params={"Global.log_level": "error"})
        self.min_confidence = min_confidence

    def read(self, img: Image.Image) -> list[TextLine]:
        bgr = np.ascontiguousarray(np.asarray(img.convert("RGB"))[:, :, ::-1])
        result = self.engine(bgr)
        if result is None or result.txts is None or result.boxes is None:
            return []
        lines = []
        for text, score, quad in zip(result.txts, result.scores, result.boxes, strict=False):
            if float(score) < self.min_confidence or not str(text).strip():
                continue
            quad = np.asarray(quad, dtype=float).reshape(-1, 2)
            box = (float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max()))
            lines.append(TextLine(str(text).strip(), box, float(score)))
        return reading_order(lines)
