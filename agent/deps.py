"""What the controller's nodes share: LLM, tools, example selector, configuration."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from agent.config import Config
from agent.examples import ExampleSelector
from agent.llm.base import LLM, Message
from tools.registry import ToolRegistry


@dataclass
class Deps:
    config: Config
    llm: LLM
    registry: ToolRegistry
    selector: ExampleSelector
    aux_llm: LLM | None = None  # decide/refine/sub-question splitting; a separate prompt cache from planning
    slot_llm: Callable[[str], LLM] | None = None  # slot name -> the same model with its own prompt cache
    n_examples: int = 5
    memory: Any = None  # agent.memory.ProgramMemory: verified templates reused without the LLM
    _slots: OrderedDict = field(default_factory=OrderedDict)  # example group -> planner slot index, LRU
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
        """The planner context for a family of questions.

        Each example group gets its own llama.cpp context (up to ``llm.plan_slots``, least recently
        used reassigned), so its few-shot prefix stays evaluated: on CPU, re-reading a 300-token
        prefix costs seconds, more than writing the program.
        """
        if self.slot_llm is None or self.config.llm.plan_slots <= 1:
            return self.llm
        with self._slots_lock:
            if group in self._slots:
                self._slots.move_to_end(group)
            else:
                used = set(self._slots.values())
                free = [i for i in range(self.config.llm.plan_slots) if i not in used]
                self._slots[group] = free[0] if free else self._slots.popitem(last=False)[1]
            index = self._slots[group]
        return self.llm if index == 0 else self.slot_llm(f"plan{index}")

    def chat(self, messages: list[Message], *, aux: bool = False, llm: LLM | None = None,
             **kw: Any) -> tuple[str, float]:
        """One LLM call; returns the text and its wall time, so the graph can split timings."""
        start = time.perf_counter()
        chosen = llm or (self.aux_llm if aux and self.aux_llm is not None else self.llm)
        reply = chosen.chat(messages, **kw)
        return reply.text, time.perf_counter() - start

    def program_grammar(self, image_names: tuple[str, ...]) -> str | None:
        if not self.config.llm.grammar:
            return None
        return _grammar(self.registry, image_names)


@lru_cache(maxsize=32)
def _grammar(registry: ToolRegistry, image_names: tuple[str, ...]) -> str:
    from tools.grammar import program_grammar

    return program_grammar(registry, image_vars=image_names)
