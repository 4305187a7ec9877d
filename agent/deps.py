"""What the controller's nodes share: LLM, tools, example selector, configuration."""

from __future__ import annotations

import inspect
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from agent.config import Config
from agent.examples import ExampleSelector
from agent.llm.base import LLM, Message
from tools.registry import ToolRegistry

if TYPE_CHECKING:
    from agent.memory import ProgramMemory
    from agent.state import RunContext


@dataclass
class Deps:
    config: Config
    llm: LLM
    registry: ToolRegistry
    selector: ExampleSelector
    aux_llm: LLM | None = None  # decide/refine/sub-question splitting (the planner's model unless told otherwise)
    n_examples: int = 5
    memory: ProgramMemory | None = None  # verified templates reused without the LLM
    _slots_lock: threading.Lock = field(default_factory=threading.Lock)
    # Programs that ran cleanly, by (question, image names): a program is a function of the question,
    # not of the pixels, so a batch asking one question of 10,000 images plans it once.
    _programs: OrderedDict = field(default_factory=OrderedDict)
    max_cached_programs: int = 512

    def cached_program(self, question: str, image_names: list[str]) -> str | None:
        key = (" ".join(question.lower().split()), tuple(image_names))
        with self._slots_lock:
            program = self._programs.get(key)
            if program is not None:
                self._programs.move_to_end(key)
            return program

    def forget_programs(self) -> None:
        with self._slots_lock:
            self._programs.clear()

    def remember_program(self, question: str, image_names: list[str], program: str) -> None:
        key = (" ".join(question.lower().split()), tuple(image_names))
        with self._slots_lock:
            self._programs[key] = program
            self._programs.move_to_end(key)
            while len(self._programs) > self.max_cached_programs:
                self._programs.popitem(last=False)

    def planner(self, group: str) -> LLM:
        """The LLM that writes programs for a family (``group``) of questions.

        One model serves every family: the embedded runtime keeps several KV sequences and sends
        each prompt to the one already holding its few-shot prefix (or loads that prefix's saved
        state from disk), so no family needs a context of its own.
        """
        return self.llm

    def chat(self, messages: list[Message], *, aux: bool = False, llm: LLM | None = None,
             ctx: RunContext | None = None, **kw: Any) -> tuple[str, float]:
        """One LLM call; returns the text and its wall time, so the graph can split timings.

        With the question's ``ctx`` (agent.state.RunContext) the call stops at the question's
        deadline (``ctx.llm_stopped`` is then set) and streams its text into ``ctx.partial`` for
        live progress. Backends written before these keywords existed are called without them.
        """
        start = time.perf_counter()
        chosen = llm or (self.aux_llm if aux and self.aux_llm is not None else self.llm)
        if ctx is not None:
            ctx.partial = ""
            extra = {"deadline": ctx.deadline, "on_token": ctx.add_partial}
            kw.update({k: v for k, v in extra.items() if _accepts(chosen, k)})
        reply = chosen.chat(messages, **kw)
        if ctx is not None and getattr(reply, "stopped", "") == "deadline":
            ctx.llm_stopped = True
        return reply.text, time.perf_counter() - start

    def program_grammar(self, image_names: tuple[str, ...]) -> str | None:
        if not self.config.llm.grammar:
            return None
        return _grammar(self.registry, image_names)


def _accepts(llm: LLM, keyword: str) -> bool:
    """Whether ``llm.chat`` takes ``keyword`` (an LLM object a user wrote may predate it)."""
    try:
        params = inspect.signature(llm.chat).parameters
    except (TypeError, ValueError):
        return False
    return keyword in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


@lru_cache(maxsize=32)
def _grammar(registry: ToolRegistry, image_names: tuple[str, ...]) -> str:
    from tools.grammar import program_grammar

    return program_grammar(registry, image_vars=image_names)
