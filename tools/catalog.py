"""The default tool set: vision tools (tools/builtin.py) plus EVAL and RESULT."""

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
