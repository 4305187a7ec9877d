"""Embedded GGUF models through llama-cpp-python, with GBNF / JSON-schema constrained decoding.

* One ``LlamaRuntime`` (weights read once, one context, ``llm.sequences`` KV sequences) per model
  file and settings per process, shared by every backend object: see ``llama_runtime`` for where
  the memory goes and how a call finds the sequence that already holds its prompt prefix.
* Chat goes through the GGUF's own chat template. The system prompt and few-shot examples before
  the last user turn are evaluated once, kept in a sequence, and saved to disk
  (``$VISREASON_HOME/kv``) so another process loads them instead of evaluating them again.
* Grammars are validated once against the model vocabulary (an invalid GBNF would otherwise make
  llama.cpp fail deep inside sampling) and cached by text; ``llm.grammar_mode`` picks lazy or
  full grammar checking.
* Calls from several threads at once (batch workers, app users) are decoded together, one
  ``llama_decode`` per token for all of them (``llama_dispatch``); the greedy text is unchanged.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from agent.config import Config
from agent.errors import ConfigError, LLMError, ModelUnavailableError
from agent.llm.base import LLMReply, Message, TokenCallback
from agent.llm.llama_dispatch import dispatcher_for
from agent.llm.llama_runtime import GRAMMAR_MODES, LlamaRuntime, RuntimeSettings

SEED = 1234  # fixed for reproducibility; with temperature 0 decoding is greedy anyway


def _llama_cpp():
    try:
        import llama_cpp
    except ImportError:
        raise ModelUnavailableError("the gguf backend needs llama-cpp-python",
                                    hint="pip install llama-cpp-python") from None
    return llama_cpp


@lru_cache(maxsize=4)
def load_gguf(settings: RuntimeSettings) -> LlamaRuntime:
    """The one runtime per model file and settings in this process (loading takes seconds and ~1 GB)."""
    _llama_cpp()
    if not Path(settings.path).is_file():
        raise ModelUnavailableError(f"GGUF file not found: {settings.path}")
    return LlamaRuntime(settings)


def runtime_settings(config: Config, model_path: str) -> RuntimeSettings:
    llm = config.llm
    if llm.grammar_mode not in GRAMMAR_MODES:
        raise ConfigError(f"llm.grammar_mode={llm.grammar_mode!r} is not a grammar mode",
                       hint="one of: " + ", ".join(GRAMMAR_MODES))
    if llm.sequences < 1 or llm.n_ctx < 64 or llm.n_ubatch < 1:
        raise ConfigError("llm.sequences must be >= 1, llm.n_ctx >= 64 and llm.n_ubatch >= 1",
                       hint=f"got sequences={llm.sequences}, n_ctx={llm.n_ctx}, n_ubatch={llm.n_ubatch}")
    kv_dir = str(config.home_path / "kv") if llm.prefix_cache else ""
    return RuntimeSettings(path=model_path, n_ctx=llm.n_ctx, n_seq=llm.sequences, n_threads=llm.n_threads,
                           n_ubatch=llm.n_ubatch, kv_dir=kv_dir)


def resolve_gguf_path(config: Config) -> Path:
    """``llm.model`` is a model-store name (assembled on demand) or a path to a .gguf file."""
    from agent.model_registry import REGISTRY
    from agent.model_store import ModelStore

    model = config.llm.model
    spec = REGISTRY.get(model)
    if spec is not None and spec.kind == "llm" and spec.backend == "gguf":
        return ModelStore(config).path(model)
    path = Path(model).expanduser()
    if path.is_file():
        return path
    gguf_names = [n for n, s in REGISTRY.items() if s.backend == "gguf"]
    raise ModelUnavailableError(f"llm.model={model!r} is neither a GGUF file nor a known model",
                                hint="use one of: " + ", ".join(gguf_names) + " or a path to a .gguf file")


@lru_cache(maxsize=64)
def schema_to_gbnf(schema_json: str) -> str:
    """JSON schema (as JSON text) -> GBNF, via llama.cpp's own converter (required properties in schema order)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    try:
        return json_schema_to_gbnf(schema_json)
    except Exception as exc:  # the converter raises plain Exception/ValueError/KeyError
        raise LLMError(f"cannot convert JSON schema to a grammar: {exc}") from None


class LlamaCppBackend:
    """The ``LLM`` protocol over an embedded GGUF model."""

    def __init__(self, config: Config, model_path: str | Path | None = None) -> None:
        self.config = config
        self.model_path = str(model_path or resolve_gguf_path(config))
        self.name = f"gguf:{Path(self.model_path).name}"
        self._loaded: LlamaRuntime | None = None

    @property
    def loaded(self) -> LlamaRuntime:
        if self._loaded is None:
            self._loaded = load_gguf(runtime_settings(self.config, self.model_path))
        return self._loaded

    def chat(self, messages: list[Message], *, grammar: str | None = None, json_schema: dict | None = None,
             max_tokens: int = 256, stop: list[str] | None = None, temperature: float | None = None,
             deadline: float | None = None, on_token: TokenCallback | None = None) -> LLMReply:
        if grammar is None and json_schema is not None:
            grammar = schema_to_gbnf(json.dumps(json_schema))  # key order kept: properties are generated in schema order
        temp = self.config.llm.temperature if temperature is None else temperature
        runtime = self.loaded
        tokens, prefix = runtime.render(messages)
        out = dispatcher_for(runtime).generate(tokens, prefix, grammar=grammar,
                                               grammar_mode=self.config.llm.grammar_mode, max_tokens=max_tokens,
                                               stop=stop, temperature=temp, seed=SEED, deadline=deadline,
                                               on_token=on_token)
        return LLMReply(text=out.text, prompt_tokens=out.prompt_tokens, completion_tokens=len(out.tokens),
                        seconds=out.seconds, backend=self.name, cached_tokens=out.prompt_tokens - out.evaluated,
                        stopped=out.stopped)

    def prefill(self, messages: list[Message]) -> str:
        """Evaluate (or load) the prompt prefix of ``messages`` and save it to disk; returns where it came from:
        "memory", "disk", "copy" or "none" (evaluated now)."""
        runtime = self.loaded
        tokens, prefix = runtime.render(messages)
        return runtime.prefill(tokens, prefix)
