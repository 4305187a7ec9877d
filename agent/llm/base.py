"""The one interface every LLM backend implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

Message = dict  # {"role": "system" | "user" | "assistant", "content": str}


@dataclass(frozen=True)
class LLMReply:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    backend: str = ""
    cached_tokens: int = 0  # prompt tokens whose KV state was reused (in memory or from disk), not evaluated
    stopped: str = ""  # why generation ended early: "deadline" (the question's time ran out), else ""


TokenCallback = Callable[[str], None]


@runtime_checkable
class LLM(Protocol):
    """Chat completion with optional constrained decoding.

    ``grammar`` is GBNF text (llama.cpp dialect). ``json_schema`` asks for a JSON object
    matching the schema. Backends that cannot enforce either still accept them and the
    caller validates the output.

    ``deadline`` is a ``time.monotonic()`` instant: generation stops there and returns what it
    has, with ``stopped="deadline"``, so no single call can outlive the question's time budget.
    ``on_token`` receives each piece of text as it is written (live progress); backends that
    cannot stream call it once with the whole reply.
    """

    name: str

    def chat(
        self,
        messages: list[Message],
        *,
        grammar: str | None = None,
        json_schema: dict | None = None,
        max_tokens: int = 256,
        stop: list[str] | None = None,
        temperature: float | None = None,
        deadline: float | None = None,
        on_token: TokenCallback | None = None,
    ) -> LLMReply: ...
