"""Any OpenAI-compatible chat server (llama.cpp server, vLLM, Ollama, OpenAI) through the ``openai`` client.

Constrained decoding is server-specific, so it is passed the way each server understands it:
* ``grammar`` -> ``extra_body={"grammar": gbnf}`` (llama.cpp server). vLLM reads ``guided_grammar``;
  add it with ``grammar_fields=("grammar", "guided_grammar")`` only when talking to vLLM.
* ``json_schema`` -> ``response_format={"type": "json_schema", ...}``; servers that reject it get
  ``{"type": "json_object", "schema": ...}`` (llama-cpp-python server), then no constraint at all
  (the caller validates the JSON anyway).
"""

from __future__ import annotations

import os
import time

from agent.config import Config
from agent.errors import LLMError, ModelUnavailableError
from agent.llm.base import LLMReply, Message, TokenCallback

NO_KEY = "none"  # sent when there is no key; the chat app also sets it for URLs the operator did not configure


def _api_key(config: Config) -> str:
    # Local servers ignore the key, but the client insists on one. A key in the config (including
    # NO_KEY) wins over the environment's, so the server's key can be withheld from an endpoint.
    return config.llm.api_key or os.environ.get("VISREASON_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY") or NO_KEY


class OpenAIBackend:
    def __init__(self, config: Config, *, grammar_fields: tuple[str, ...] = ("grammar",), client=None) -> None:
        try:
            import openai
        except ImportError:
            raise ModelUnavailableError("the openai backend needs the openai package",
                                        hint="pip install openai") from None
        self._openai = openai
        self.config = config
        self.model = config.llm.model
        self.grammar_fields = grammar_fields
        base_url = config.llm.base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.name = f"openai:{self.model}" + (f"@{base_url}" if base_url else "")
        self.client = client or openai.OpenAI(base_url=base_url, api_key=_api_key(config),
                                              timeout=config.llm.timeout_s, max_retries=config.llm.max_retries)

    def _create(self, **kwargs):
        openai = self._openai
        try:
            return self.client.chat.completions.create(model=self.model, **kwargs)
        except openai.APITimeoutError:
            raise LLMError(f"{self.name}: timed out after {self.config.llm.timeout_s}s "
                           f"({self.config.llm.max_retries} retries)", hint="raise llm.timeout_s") from None
        except openai.APIConnectionError as exc:
            raise LLMError(f"{self.name}: cannot connect ({exc})",
                           hint="is the server running? check llm.base_url") from None
        except openai.AuthenticationError:
            raise LLMError(f"{self.name}: authentication failed",
                           hint="set llm.api_key, VISREASON_LLM_API_KEY or OPENAI_API_KEY") from None
        except openai.APIStatusError as exc:
            raise _StatusError(exc.status_code, f"{self.name}: HTTP {exc.status_code}: {_short(exc)}") from None

    def chat(self, messages: list[Message], *, grammar: str | None = None, json_schema: dict | None = None,
             max_tokens: int = 256, stop: list[str] | None = None, temperature: float | None = None,
             deadline: float | None = None, on_token: TokenCallback | None = None) -> LLMReply:
        temp = self.config.llm.temperature if temperature is None else temperature
        base = {"messages": messages, "max_tokens": max_tokens, "temperature": temp, "seed": 1234}
        if deadline is not None:  # the request may not outlive the question's budget
            left = deadline - time.monotonic()
            if left <= 0:
                return LLMReply(text="", backend=self.name, stopped="deadline")
            base["timeout"] = left
        if stop:
            base["stop"] = stop
        attempts: list[dict] = []
        if grammar:
            attempts.append({"extra_body": {field: grammar for field in self.grammar_fields}})
        elif json_schema is not None:
            attempts.append({"response_format": {"type": "json_schema",
                                                 "json_schema": {"name": "reply", "schema": json_schema}}})
            attempts.append({"response_format": {"type": "json_object", "schema": json_schema}})
            attempts.append({})
        else:
            attempts.append({})
        started = time.perf_counter()
        for i, extra in enumerate(attempts):
            try:
                response = self._create(**base, **extra)
                break
            except LLMError:
                if deadline is not None and time.monotonic() >= deadline - 0.05:
                    return LLMReply(text="", backend=self.name, stopped="deadline")  # the budget's timeout
                raise
            except _StatusError as exc:
                # The server does not understand this constraint format: try the next one. (400/422
                # normally; llama-cpp-python's server answers a validation error with HTTP 500.)
                unsupported = exc.status in (400, 422) or "response_format" in exc.args[0]
                if not unsupported or i == len(attempts) - 1:
                    raise LLMError(exc.args[0]) from None
        seconds = time.perf_counter() - started
        if not response.choices:
            raise LLMError(f"{self.name}: empty response (no choices)")
        usage = response.usage
        if on_token is not None and response.choices[0].message.content:
            on_token(response.choices[0].message.content)
        return LLMReply(text=response.choices[0].message.content or "",
                        prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                        completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
                        seconds=seconds, backend=self.name)


class _StatusError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "message", "") or exc)
    return text if len(text) < 300 else text[:300] + "..."
