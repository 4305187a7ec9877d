"""Embedded GGUF models through llama-cpp-python, with GBNF / JSON-schema constrained decoding.

* One ``Llama`` per (model path, n_ctx, n_threads, seed) per process (cached loader), shared by
  every backend object that asks for the same thing.
* A lock per loaded model: llama.cpp contexts are not thread-safe.
* Chat goes through ``create_chat_completion`` (the GGUF's own chat template). Because the same
  ``Llama`` object is reused, llama-cpp-python keeps the KV cache for the longest common token
  prefix with the previous call, so a long fixed system prompt is only evaluated once.
* Grammars are validated once against the model vocabulary (an invalid GBNF would otherwise make
  llama.cpp fail deep inside sampling) and cached by text.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from agent.config import Config
from agent.errors import LLMError, ModelUnavailableError
from agent.llm.base import LLMReply, Message

SEED = 1234  # fixed for reproducibility; with temperature 0 decoding is greedy anyway


def _llama_cpp():
    try:
        import llama_cpp
    except ImportError:
        raise ModelUnavailableError("the gguf backend needs llama-cpp-python",
                                    hint="pip install llama-cpp-python") from None
    return llama_cpp


@dataclass
class _Loaded:
    llama: object
    lock: threading.Lock  # shared by every context of one model file: 2 cores fit one generation at a time
    grammars: dict = field(default_factory=dict)  # GBNF text -> LlamaGrammar (validated)


@cache
def model_lock(path: str) -> threading.Lock:
    return threading.Lock()


# Loading takes seconds and ~1-2 GB; keep a few per process, keyed by everything that matters.
@lru_cache(maxsize=8)
def load_gguf(path: str, n_ctx: int, n_threads: int, seed: int = SEED, slot: str = "main") -> _Loaded:
    """One llama.cpp context per (model, settings, slot).

    Slots keep separate KV caches so the planner's long few-shot prefix stays evaluated while
    decide/refine/VQA prompts run in another slot. The weights are mmapped, so a second slot
    costs only its KV cache, not another copy of the model.
    """
    llama_cpp = _llama_cpp()
    if not Path(path).is_file():
        raise ModelUnavailableError(f"GGUF file not found: {path}")
    try:
        llama = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads,
                                seed=seed, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise ModelUnavailableError(f"llama.cpp could not load {path}: {exc}",
                                    hint="check the file with `visreason models verify`") from None
    return _Loaded(llama, model_lock(path))


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

    def __init__(self, config: Config, model_path: str | Path | None = None, slot: str = "main") -> None:
        self.config = config
        self.slot = slot
        self.model_path = str(model_path or resolve_gguf_path(config))
        self.name = f"gguf:{Path(self.model_path).name}"
        self._loaded: _Loaded | None = None

    @property
    def loaded(self) -> _Loaded:
        if self._loaded is None:
            self._loaded = load_gguf(self.model_path, self.config.llm.n_ctx, self.config.llm.n_threads,
                                     slot=self.slot)
        return self._loaded

    def _grammar(self, text: str):
        loaded = self.loaded
        cached = loaded.grammars.get(text)
        if cached is not None:
            return cached
        llama_cpp = _llama_cpp()
        from llama_cpp.llama_grammar import LlamaGrammar

        # Parse once against this vocabulary: a NULL sampler means llama.cpp rejected the grammar.
        vocab = loaded.llama._model.vocab
        probe = llama_cpp.llama_sampler_init_grammar(vocab, text.encode("utf-8"), b"root")
        if not probe:
            raise LLMError("invalid GBNF grammar (llama.cpp could not parse it; rule 'root' is required)")
        llama_cpp.llama_sampler_free(probe)
        grammar = LlamaGrammar.from_string(text, verbose=False)
        loaded.grammars[text] = grammar
        return grammar

    def chat(self, messages: list[Message], *, grammar: str | None = None, json_schema: dict | None = None,
             max_tokens: int = 256, stop: list[str] | None = None, temperature: float | None = None) -> LLMReply:
        if grammar is None and json_schema is not None:
            grammar = schema_to_gbnf(json.dumps(json_schema))  # key order kept: properties are generated in schema order
        temp = self.config.llm.temperature if temperature is None else temperature
        loaded = self.loaded
        with loaded.lock:
            compiled = self._grammar(grammar) if grammar else None
            started = time.perf_counter()
            try:
                response = loaded.llama.create_chat_completion(
                    messages=messages, temperature=temp, max_tokens=max_tokens, stop=stop or [],
                    seed=SEED, grammar=compiled, repeat_penalty=1.0)
            except ValueError as exc:  # e.g. prompt longer than n_ctx
                raise LLMError(f"llama.cpp: {exc}", hint=f"llm.n_ctx is {self.config.llm.n_ctx}") from None
            seconds = time.perf_counter() - started
        usage = response.get("usage") or {}
        text = response["choices"][0]["message"].get("content") or ""
        return LLMReply(text=text, prompt_tokens=int(usage.get("prompt_tokens", 0)),
                        completion_tokens=int(usage.get("completion_tokens", 0)), seconds=seconds,
                        backend=self.name)
