"""Tool sets: the question-answering tools the planner sees, and every module a program may call."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tools.logic import LOGIC_TOOLS
from tools.registry import ToolRegistry


def default_registry(extra: Iterable[Callable] = ()) -> ToolRegistry:
    """Every built-in tool; ``extra`` adds tool functions (e.g. a retrieval tool)."""
    from tools.builtin import VISION_TOOLS  # lazy: vision tools pull in model code
    from tools.scene import SCENE_TOOLS
    from tools.shapes import SHAPE_TOOLS

    return ToolRegistry((*VISION_TOOLS, *SHAPE_TOOLS, *SCENE_TOOLS, *LOGIC_TOOLS, *extra))


def program_registry(extra: Iterable[Callable] = ()) -> ToolRegistry:
    """Every module a program may call: the default tools plus VisProg's SEG, COLORPOP, BGBLUR, EMOJI, REPLACE
    and LIST (image editing and knowledge tagging), for running written programs such as VisProg's own."""
    from tools.builtin import EDIT_TOOLS

    return default_registry((*EDIT_TOOLS, *extra))
