"""The settings panel's values -> a Config (plus the knowledge-base path), within the operator's policy.

One table (``FIELDS``) drives both the Gradio widgets and the config overrides, so a new
setting is one line. Blank values mean "keep the server's configured default", which is
what makes the defaults work offline.

Everything here arrives from a visitor (the browser or any API client), so nothing is trusted:
choices must be among those the operator offered (agent/ui/policy.py); the "free" fields (model
names, paths, URLs) exist only with ``--allow-free-paths``; budgets are clamped to the operator's
ceilings; the server's API key never goes to a URL a visitor typed; a pickle (.pt) is never loaded
from a path a visitor named; and the answer to a bad knowledge-base path is the same whether or
not the path exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.config import Config
from agent.errors import ConfigError
from agent.llm.openai_backend import NO_KEY  # sent instead of the server's key to a visitor's URL
from agent.ui.policy import NO_KB, AppPolicy, is_knowledge_base


@dataclass(frozen=True)
class Field:
    name: str  # keyword of the chat endpoint
    key: str  # dotted config key ("" = handled specially)
    label: str
    kind: str  # text | secret | choice | int | float
    free: bool = False  # a model name, path or URL: offered only with --allow-free-paths
    info: str = ""


FIELDS: tuple[Field, ...] = (
    Field("llm", "", "LLM", "choice", info="the models this server offers"),
    Field("detector_backend", "detector.backend", "Detector", "choice"),
    Field("vqa_backend", "vqa.backend", "VQA backend", "choice", info="facts = the LLM reads the tools' facts"),
    Field("kb", "", "Knowledge base", "choice"),
    Field("max_steps", "budgets.max_steps", "Max program steps", "int"),
    Field("max_turns", "budgets.max_turns", "Max evidence turns", "int"),
    Field("agent_seconds", "budgets.agent_seconds", "Time budget (s)", "float"),
    Field("llm_model", "llm.model", "LLM model", "text", True, "model-store name / GGUF path / served model"),
    Field("llm_base_url", "llm.base_url", "OpenAI-compatible base URL", "text", True,
          "the server's own API key is never sent to a URL typed here"),
    Field("llm_api_key", "llm.api_key", "API key", "secret", True),
    Field("detector_path", "detector.path", "Detector weights", "text", True,
          "bundled .yaml name, or a file in the model store; never an uploaded file"),
    Field("vqa_model", "vqa.model", "VQA model", "text", True, "a local model folder"),
    Field("kb_path", "", "Knowledge base path", "text", True, "folder built with `visreason kb build`"),
)
KNOWN = {f.name: f for f in FIELDS}
BUDGETS = ("max_steps", "max_turns", "agent_seconds")

Settings = dict[str, Any]  # field name -> value as sent by the browser or an API client


def offered_fields(policy: AppPolicy) -> list[Field]:
    """The settings this server shows (and its chat endpoint accepts)."""
    return [f for f in FIELDS if policy.free_paths or not f.free]


def choices(f: Field, policy: AppPolicy) -> list[str]:
    return {"llm": [c.label for c in policy.llms], "detector_backend": list(policy.detectors),
            "vqa_backend": list(policy.vqa), "kb": policy.kb_names()}.get(f.name, [])


def ceiling(name: str, policy: AppPolicy) -> float:
    return float(getattr(policy, name))


def default_settings(config: Config, policy: AppPolicy | None = None) -> Settings:
    """The widgets' initial values: what runs when the visitor changes nothing."""
    policy = policy or AppPolicy.from_config(config)
    out: Settings = {"llm": policy.llms[0].label, "detector_backend": config.detector.backend,
                     "vqa_backend": config.vqa.backend, "kb": NO_KB}
    for name in BUDGETS:
        out[name] = getattr(config.budgets, name)
    for f in offered_fields(policy):
        out.setdefault(f.name, "")  # free fields start blank: the operator's paths are not shown
    return {f.name: out[f.name] for f in offered_fields(policy)}


def settings_to_config(base: Config, settings: Settings | None,
                       policy: AppPolicy | None = None) -> tuple[Config, str | None]:
    """Apply a visitor's settings to ``base``; raises ConfigError naming the refused field."""
    policy = policy or AppPolicy.from_config(base)
    values = _accepted(settings or {}, policy)
    overrides: dict[str, Any] = {}
    overrides.update(_llm(base, values, policy))
    overrides.update(_detector(base, values, policy))
    if "vqa_backend" in values:
        _pick(values["vqa_backend"], policy.vqa, "VQA backend")
        overrides["vqa.backend"] = values["vqa_backend"]
    if "vqa_model" in values:
        if not Path(values["vqa_model"]).expanduser().is_dir():
            raise ConfigError("VQA model: give a local model folder (models are not fetched for visitors)")
        overrides["vqa.model"] = values["vqa_model"]
    for name in BUDGETS:
        if name in values:
            overrides[KNOWN[name].key] = _budget(KNOWN[name], values[name], ceiling(name, policy))
    config = base.replace(**overrides) if overrides else base
    return config, _kb(values, policy)


def _accepted(settings: Settings, policy: AppPolicy) -> dict[str, Any]:
    offered = {f.name for f in offered_fields(policy)}
    values: dict[str, Any] = {}
    for name, value in settings.items():
        f = KNOWN.get(name)
        if f is None:
            raise ConfigError(f"unknown setting {name!r}")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name not in offered:
            raise ConfigError(f"{f.label}: this server does not let visitors name models, paths or URLs",
                              hint="the operator can allow it on a loopback-only app with --allow-free-paths")
        values[name] = value.strip() if isinstance(value, str) else value
    return values


def _pick(value: Any, allowed: tuple[str, ...] | list[str], label: str) -> str:
    if str(value) not in allowed:
        raise ConfigError(f"{label}: {str(value)[:80]!r} is not offered on this server",
                          hint="choose one of: " + ", ".join(allowed))
    return str(value)


def _llm(base: Config, values: dict[str, Any], policy: AppPolicy) -> dict[str, Any]:
    choice = policy.llm(str(values["llm"])) if "llm" in values else policy.llms[0]
    chosen = {"llm.backend": choice.backend, "llm.model": choice.model, "llm.base_url": choice.base_url}
    if "llm_model" in values:
        chosen["llm.model"] = str(values["llm_model"])
    url = str(values.get("llm_base_url", choice.base_url))
    if url != choice.base_url:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"OpenAI-compatible base URL: {url[:80]!r} is not an http(s) URL")
        chosen["llm.base_url"] = url
        # A URL the operator did not configure gets the visitor's own key or none, never the server's.
        chosen["llm.api_key"] = str(values.get("llm_api_key") or NO_KEY)
    elif "llm_api_key" in values:
        chosen["llm.api_key"] = str(values["llm_api_key"])
    if all(getattr(base.llm, k.split(".")[1]) == v for k, v in chosen.items()):
        return {}
    chosen["llm.hub_download"] = False  # a visitor's choice never makes the server fetch from a model hub
    return chosen


def _detector(base: Config, values: dict[str, Any], policy: AppPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    backend = _pick(values.get("detector_backend", base.detector.backend), policy.detectors, "Detector")
    if backend != base.detector.backend:
        out["detector.backend"] = backend
        out["detector.path"] = ""  # the other backend's weights do not fit: back to the bundled default
    if "detector_path" in values:
        out["detector.path"] = trusted_weights(str(values["detector_path"]), base)
    return out


def trusted_weights(value: str, base: Config) -> str:
    """A visitor-named detector file, accepted only if the operator put it there.

    ``.pt`` files are pickles (loading one runs code), so a visitor may name only the operator's
    configured weights, a file inside the model store, or an ultralytics bundled ``.yaml``
    architecture by bare name. Uploads and any other server path are refused.
    """
    from agent.model_store import ModelStore

    path = Path(value).expanduser()
    if path.suffix.lower() == ".yaml" and path.name == value:
        return value
    resolved = path.resolve()
    trusted = {Path(p).expanduser().resolve() for p in (base.detector.path, base.detector_path) if p}
    if resolved in trusted or resolved.is_relative_to(ModelStore(base).models_dir.resolve()):
        return str(resolved)
    raise ConfigError("Detector weights: only the operator's configured weights, files in the model store or "
                      "a bundled .yaml architecture can be loaded (weight files can run code)")


def _budget(f: Field, value: Any, cap: float) -> int | float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{f.label}: expected a number, got {str(value)[:40]!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ConfigError(f"{f.label} must be a positive number")
    number = min(number, cap)  # the operator's ceiling
    if f.kind == "int":
        return max(1, int(number))
    return number


def _kb(values: dict[str, Any], policy: AppPolicy) -> str | None:
    if "kb_path" in values:
        # One answer whether the path is missing, a file or a plain folder: no probing the server's disk.
        if not is_knowledge_base(str(values["kb_path"])):
            raise ConfigError("Knowledge base path: not a knowledge base this server can open",
                              hint="give a folder built with `visreason kb build`")
        return str(Path(str(values["kb_path"])).expanduser())
    return policy.kb(str(values["kb"])) if "kb" in values else None
