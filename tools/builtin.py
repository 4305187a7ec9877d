"""The vision tools of the DSL, in the order they are documented to the LLM."""

from __future__ import annotations

from tools.crop import crop, crop_above, crop_below, crop_leftof, crop_rightof, crop_visprog
from tools.describe import caption, vqa
from tools.locate import count, loc, select
from tools.perception import classify, color, facedet, ocr, regions, tag

VISION_TOOLS = (
    loc, count, select, crop, crop_leftof, crop_rightof, crop_above, crop_below, crop_visprog,
    facedet, ocr, classify, color, regions, vqa, caption, tag,
)
