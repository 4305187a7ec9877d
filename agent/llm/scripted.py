"""A deterministic LLM for tests of control flow: replies are given up front, in order.

It is a test double, never a default backend: ``make_llm`` refuses it unless asked by name.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from agent.errors import LLMError
from agent.llm.base import LLMReply, Message, TokenCallback


class ScriptedLLM:
    name = "scripted"

    def __init__(self, replies: list[str | Callable[[list[Message]], str]]) -> None:
        self._replies = list(replies)
        self._lock = threading.Lock()
        self.calls: list[dict] = []

    def chat(self, messages: list[Message], *, grammar: str | None = None, json_schema: dict | None = None,
             max_tokens: int = 256, stop: list[str] | None = None, temperature: float | None = None,
             deadline: float | None = None, on_token: TokenCallback | None = None) -> LLMReply:
        with self._lock:
            self.calls.append({"messages": messages, "grammar": grammar, "json_schema": json_schema})
            if not self._replies:
                raise LLMError("scripted LLM ran out of replies")
            reply = self._replies.pop(0)
        text = reply(messages) if callable(reply) else reply
        if deadline is not None and time.monotonic() >= deadline:
            return LLMReply(text="", backend=self.name, stopped="deadline")
        if on_token is not None:
            for piece in text.splitlines(keepends=True):
                on_token(piece)
        return LLMReply(text=text, backend=self.name)
