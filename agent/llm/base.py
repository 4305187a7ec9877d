"""The one interface every LLM backend implements."""

from __future__ import annotations

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


@runtime_checkable
class LLM(Protocol):
    """Chat completion with optional constrained decoding.

    ``grammar`` is GBNF text (llama.cpp dialect). ``json_schema`` asks for a JSON object
    matching the schema. Backends that cannot enforce either still accept them and the
    caller validates the output.
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
    ) -> LLMReply: ...
