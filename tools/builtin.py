"""The vision tools of the DSL, in the order they are documented to the LLM.

VISION_TOOLS are what the question-answering planner is shown. EDIT_TOOLS are VisProg's image
editing and knowledge tagging modules: written programs may call them (``visreason run``,
tools.catalog.program_registry), the planner is not shown them.
"""

from __future__ import annotations

from tools.crop import crop, crop_above, crop_below, crop_leftof, crop_rightof, crop_visprog
from tools.describe import caption, vqa
from tools.edit import bgblur, colorpop, replace
from tools.emoji import emoji
from tools.listing import list_items
from tools.locate import count, loc, select
from tools.perception import classify, color, facedet, ocr, regions, tag
from tools.seg import seg

VISION_TOOLS = (
    loc, count, select, crop, crop_leftof, crop_rightof, crop_above, crop_below, crop_visprog,
    facedet, ocr, classify, color, regions, vqa, caption, tag,
)

EDIT_TOOLS = (seg, colorpop, bgblur, emoji, replace, list_items)
