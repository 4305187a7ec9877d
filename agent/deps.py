"""What the controller's nodes share: LLM, tools, example selector, configuration."""

from __future__ import annotations

import threading
import time
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
    n_examples: int = 5
    _grammar_lock: threading.Lock = field(default_factory=threading.Lock)

    def chat(self, messages: list[Message], *, aux: bool = False, **kw: Any) -> tuple[str, float]:
        """One LLM call; returns the text and its wall time, so the graph can split timings."""
        start = time.perf_counter()
        reply = (self.aux_llm if aux and self.aux_llm is not None else self.llm).chat(messages, **kw)
        return reply.text, time.perf_counter() - start

    def program_grammar(self, image_names: tuple[str, ...]) -> str | None:
        if not self.config.llm.grammar:
            return None
        return _grammar(self.registry, image_names)


@lru_cache(maxsize=32)
def _grammar(registry: ToolRegistry, image_names: tuple[str, ...]) -> str:
    from tools.grammar import program_grammar

    return program_grammar(registry, image_vars=image_names)
