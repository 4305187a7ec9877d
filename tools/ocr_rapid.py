"""Text reading with RapidOCR (PP-OCR detection + recognition on onnxruntime, models in the wheel)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class TextLine:
    text: str
    box: tuple[float, float, float, float]  # xyxy
    confidence: float


def reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Top-to-bottom, then left-to-right for lines whose vertical centres are within half a line."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda t: (t.box[1] + t.box[3]) / 2):
        cy = (line.box[1] + line.box[3]) / 2
        height = max(1.0, line.box[3] - line.box[1])
        if rows:
            last = rows[-1][-1]
            if abs(cy - (last.box[1] + last.box[3]) / 2) < height / 2:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [t for row in rows for t in sorted(row, key=lambda t: t.box[0])]


class RapidOCRReader:
    source = "rapidocr"

    def __init__(self, min_confidence: float = 0.5) -> None:
        from rapidocr import RapidOCR

        # It logs every model load at INFO, and resets its logger's level from its own config.
        self.engine = RapidOCR(params={"Global.log_level": "warning"})
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
