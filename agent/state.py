"""The controller's typed state, and the per-call run context that is not state."""

from __future__ import annotations

import operator
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from PIL import Image

from agent.events import Event

if TYPE_CHECKING:
    from retrieval.types import SearchableKB
    from tools.context import ToolContext


def add_timings(old: dict[str, float] | None, new: dict[str, float] | None) -> dict[str, float]:
    """Reducer: timings from several nodes add up per category."""
    out = dict(old or {})
    for key, value in (new or {}).items():
        out[key] = out.get(key, 0.0) + value
    return out


class AgentState(TypedDict, total=False):
    question: str
    image_names: list[str]
    kb: str | None
    history: list[dict]  # earlier turns of a conversation: {"question", "answer"}
    # planning and execution
    plan_kind: str  # program | cot | fallback
    planned_by: dict  # {"source": "memory" | "llm" | "cache", template id, similarity, ...}
    program: str
    attempts: Annotated[list[dict], operator.add]  # {"program", "error"} per program tried
    repairs: int
    error: dict | None  # the last program error, if the last run failed
    result: Any  # JSON-able value of FINAL_RESULT
    steps: Annotated[list[dict], operator.add]
    # deciding and gathering
    evidence: Annotated[list[dict], operator.add]
    turns: int
    decision: str  # answer | subquestions | retrieve
    retrieved: bool
    decomposed: bool
    # output
    answer: str
    explanation: str
    warnings: Annotated[list[str], operator.add]
    timings: Annotated[dict[str, float], add_timings]


@dataclass
class RunContext:
    """Everything one question needs that must not go into (serialisable) state."""

    images: dict[str, Image.Image]
    tool_ctx: ToolContext
    deadline: float
    cancel: threading.Event = field(default_factory=threading.Event)
    on_event: Callable[[dict], None] | None = None  # receives each event's dict (agent.events)
    kb: SearchableKB | None = None  # an opened retrieval KnowledgeBase
    step_images: dict[int, str] = field(default_factory=dict)  # step index -> PNG data URL
    steps_emitted: int = 0
    render_images: bool = True  # boxes/crops per step for the trace; off for throughput-only batch runs
    partial: str = ""  # the text the LLM has written so far in the current call (live progress)
    llm_stopped: bool = False  # an LLM call was cut short by the deadline

    def add_partial(self, piece: str) -> None:
        self.partial += piece

    def emit(self, event: Event) -> None:
        if self.on_event is not None:
            self.on_event(event.to_dict())

    @property
    def time_left(self) -> float:
        return self.deadline - time.monotonic()
