"""Build the configured LLM: ``make_llm(config)``, ``shared_llm(config)``, ``parse_llm_spec("gguf:...")``."""

from __future__ import annotations

from functools import lru_cache

from agent.config import Config, LLMConfig
from agent.errors import ConfigError
from agent.llm.base import LLM
from agent.plugins import load_callable

# The LLM backends: spec prefix -> "module:Class" (imported only when chosen). A new backend is one module
# with a class taking the Config and implementing agent.llm.base.LLM, plus one line here.
BACKENDS: dict[str, str] = {
    "gguf": "agent.llm.llama_cpp_backend:LlamaCppBackend",  # embedded llama.cpp (the default)
    "openai": "agent.llm.openai_backend:OpenAIBackend",  # any OpenAI-compatible server (vLLM, llama.cpp server)
    "hf": "agent.llm.hf_backend:HFBackend",  # transformers, local or hub model ids
}


def parse_llm_spec(spec: str) -> dict[str, str]:
    """CLI shorthand -> config overrides.

    ``gguf:qwen2.5-coder-0.5b`` or ``gguf:/path/model.gguf``; ``openai:MODEL@http://host:port/v1``
    (``@URL`` optional: then llm.base_url / $OPENAI_BASE_URL is used); ``hf:ID_OR_PATH``.
    """
    backend, sep, rest = spec.partition(":")
    backend = backend.strip().lower()
    rest = rest.strip()
    if not sep or backend not in BACKENDS or not rest:
        raise ConfigError(f"bad LLM spec {spec!r}",
                          hint="use gguf:NAME_OR_PATH, openai:MODEL@URL or hf:ID_OR_PATH")
    overrides = {"llm.backend": backend, "llm.model": rest}
    if backend == "openai" and "@" in rest:
        model, _, url = rest.partition("@")
        if not model or not url.startswith(("http://", "https://")):
            raise ConfigError(f"bad openai spec {spec!r}", hint="openai:MODEL@http://host:port/v1")
        overrides.update({"llm.model": model, "llm.base_url": url})
    return overrides


def make_llm(config: Config, slot: str = "main") -> LLM:
    """A fresh backend object (heavy model weights are still shared per process by each backend).

    ``slot`` is accepted for older callers and ignored: an embedded model's calls all share one
    runtime, which keeps several KV sequences and routes each prompt to the one holding its prefix.
    """
    backend = config.llm.backend
    if backend == "scripted":
        raise ConfigError("the scripted LLM is a test double; construct agent.llm.scripted.ScriptedLLM directly")
    target = BACKENDS.get(backend)
    if target is None:
        raise ConfigError(f"unknown llm.backend {backend!r}", hint="one of: " + ", ".join(BACKENDS))
    return load_callable(target, "LLM backend")(config)


def shared_llm(config: Config, slot: str = "main") -> LLM:
    """One backend object per distinct LLM configuration (and home dir) per process (``slot``: see make_llm)."""
    return _shared(config.llm, str(config.home_path))


@lru_cache(maxsize=8)
def _shared(llm_cfg: LLMConfig, home: str) -> LLM:
    # Backends only read [llm] and the home dir, so other config changes share the same model.
    return make_llm(Config(home=home, llm=llm_cfg))
