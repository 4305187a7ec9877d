"""The settings panel's values -> a Config (plus the knowledge-base path).

One table (``FIELDS``) drives both the Gradio widgets and the config overrides, so a new
setting is one line. Blank values mean "keep the server's configured default", which is
what makes the defaults work offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.config import Config
from agent.errors import ConfigError


@dataclass(frozen=True)
class Field:
    name: str  # keyword of the chat endpoint
    key: str  # dotted config key ("" = not a config value)
    label: str
    kind: str  # text | secret | choice | int | float
    choices: tuple[str, ...] = ()
    info: str = ""


FIELDS: tuple[Field, ...] = (
    Field("llm_backend", "llm.backend", "LLM backend", "choice", ("gguf", "openai", "hf"),
          "gguf = embedded llama.cpp model; openai = any OpenAI-compatible server; hf = transformers"),
    Field("llm_model", "llm.model", "LLM model", "text", info="model-store name / GGUF path / served model / hub id"),
    Field("llm_base_url", "llm.base_url", "OpenAI-compatible base URL", "text", info="e.g. http://127.0.0.1:8080/v1"),
    Field("llm_api_key", "llm.api_key", "API key", "secret"),
    Field("detector_backend", "detector.backend", "Detector", "choice", ("yolox", "ultralytics")),
    Field("detector_path", "detector.path", "Detector weights", "text", info="blank = bundled YOLOX-Nano"),
    Field("vqa_backend", "vqa.backend", "VQA backend", "choice", ("facts", "transformers")),
    Field("vqa_model", "vqa.model", "VQA model", "text"),
    Field("kb_path", "", "Knowledge base path", "text", info="folder built with `visreason kb build`; blank = none"),
    Field("max_steps", "budgets.max_steps", "Max program steps", "int"),
    Field("max_turns", "budgets.max_turns", "Max evidence turns", "int"),
    Field("agent_seconds", "budgets.agent_seconds", "Time budget (s)", "float"),
)

Settings = dict[str, Any]  # field name -> value as sent by the browser or an API client


def default_settings(config: Config) -> Settings:
    """The widgets' initial values: the server's config, so the panel shows what runs."""
    out: Settings = {}
    for f in FIELDS:
        if not f.key:
            out[f.name] = ""
            continue
        section, key = f.key.split(".")
        value = getattr(getattr(config, section), key)
        out[f.name] = "" if f.kind == "secret" else value
    return out


def settings_to_config(base: Config, settings: Settings | None) -> tuple[Config, str | None]:
    """Apply the non-blank settings to ``base``; raises ConfigError naming the bad field."""
    settings = settings or {}
    overrides: dict[str, Any] = {}
    kb: str | None = None
    known = {f.name: f for f in FIELDS}
    for name, value in settings.items():
        f = known.get(name)
        if f is None:
            raise ConfigError(f"unknown setting {name!r}")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if f.choices and str(value) not in f.choices:
            raise ConfigError(f"{f.label}: {value!r} is not one of {', '.join(f.choices)}")
        if not f.key:
            kb_path = Path(str(value).strip()).expanduser()
            if not kb_path.exists():
                raise ConfigError(f"{f.label}: {kb_path} does not exist")
            kb = str(kb_path)
            continue
        overrides[f.key] = value.strip() if isinstance(value, str) else value
    config = base.replace(**overrides) if overrides else base
    for f in FIELDS:
        if f.kind in ("int", "float") and f.key:
            section, key = f.key.split(".")
            if getattr(getattr(config, section), key) <= 0:
                raise ConfigError(f"{f.label} must be positive")
    return config, kb
