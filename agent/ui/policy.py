"""What the operator lets a visitor choose: the LLMs, knowledge bases, detectors and budget ceilings.

The chat app serves people who are not the operator (anyone who can reach the port). They pick
from the choices fixed here at start-up, by name; they never type a server path, a URL or a
backend unless the operator passed ``--allow-free-paths`` (refused beyond loopback, see
agent/ui/exposure.py). The policy is built once from the operator's config and flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent.config import Config
from agent.errors import ConfigError
from retrieval.store import POINTER as KB_POINTER  # a knowledge-base folder holds this file

NO_KB = "(none)"
# The detectors a visitor may choose; either backend's default weights are the operator's shared,
# sha256-pinned files (tools/models.py).
DETECTORS = ("ensemble", "ultralytics", "yolox")


@dataclass(frozen=True)
class LLMChoice:
    label: str  # what the visitor sees and sends; never the API key, never a full file path
    backend: str
    model: str
    base_url: str


@dataclass(frozen=True)
class AppPolicy:
    llms: tuple[LLMChoice, ...]  # the first is the operator's configured LLM
    kbs: tuple[tuple[str, str], ...] = ()  # (name, path), from --kb-dir
    detectors: tuple[str, ...] = DETECTORS
    vqa: tuple[str, ...] = ("facts",)
    free_paths: bool = False  # --allow-free-paths: visitors may type model paths, URLs, a KB path
    max_steps: int = 40
    max_turns: int = 5
    agent_seconds: float = 180.0

    @classmethod
    def from_config(cls, config: Config, *, allow_backends: tuple[str, ...] | list[str] = (),
                    kb_dir: str | None = None, free_paths: bool = False) -> AppPolicy:
        specs = [s.strip() for s in (*config.ui.allow_backends.split(","), *allow_backends) if s.strip()]
        llms = [_choice(config.llm.backend, config.llm.model, config.llm.base_url)]
        for spec in specs:
            llms.append(_choice_from_spec(spec, config))
        kb_root = kb_dir or config.ui.kb_dir
        vqa = ("facts", "transformers") if config.vqa.model else ("facts",)
        budgets, ui = config.budgets, config.ui
        return cls(llms=_unique_labels(llms), kbs=knowledge_bases(kb_root) if kb_root else (),
                   detectors=DETECTORS, vqa=vqa, free_paths=free_paths,
                   max_steps=max(ui.max_steps, budgets.max_steps),
                   max_turns=max(ui.max_turns, budgets.max_turns),
                   agent_seconds=max(ui.agent_seconds, budgets.agent_seconds))

    def llm(self, label: str) -> LLMChoice:
        for choice in self.llms:
            if choice.label == label:
                return choice
        raise ConfigError(f"LLM: {label!r} is not offered on this server",
                          hint="choose one of: " + ", ".join(c.label for c in self.llms))

    def kb(self, name: str) -> str | None:
        if name == NO_KB:
            return None
        for kb_name, path in self.kbs:
            if kb_name == name:
                return path
        raise ConfigError("Knowledge base: not one this server offers",
                          hint="choose one of: " + ", ".join([NO_KB, *(n for n, _ in self.kbs)]))

    def kb_names(self) -> list[str]:
        return [NO_KB, *(n for n, _ in self.kbs)]


def knowledge_bases(root: str | Path) -> tuple[tuple[str, str], ...]:
    """The knowledge bases directly inside ``root`` (the operator's --kb-dir), by folder name."""
    folder = Path(root).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"--kb-dir {folder}: not a folder",
                          hint="give a folder whose sub-folders were built with `visreason kb build`")
    return tuple((p.name, str(p.resolve())) for p in sorted(folder.iterdir())
                 if p.is_dir() and not p.name.startswith(".") and (p / KB_POINTER).is_file())


def is_knowledge_base(path: str | Path) -> bool:
    """True for a folder built with `visreason kb build`; False for anything else, missing or not."""
    try:
        return (Path(path).expanduser() / KB_POINTER).is_file()
    except (OSError, ValueError):
        return False


def _choice(backend: str, model: str, base_url: str) -> LLMChoice:
    name = Path(model).name if Path(model).expanduser().is_absolute() else model  # a label shows no server path
    return LLMChoice(label=f"{backend}:{name}", backend=backend, model=model, base_url=base_url)


def _choice_from_spec(spec: str, config: Config) -> LLMChoice:
    from agent.llm.factory import BACKENDS, parse_llm_spec

    if spec in BACKENDS:  # a bare backend name: the configured model and URL under that backend
        return _choice(spec, config.llm.model, config.llm.base_url)
    try:
        parsed = parse_llm_spec(spec)
    except ConfigError as exc:
        raise ConfigError(f"--allow-backend {spec!r}: {exc.message}", hint=exc.hint) from None
    return _choice(parsed["llm.backend"], parsed["llm.model"], parsed.get("llm.base_url", config.llm.base_url))


def _unique_labels(choices: list[LLMChoice]) -> tuple[LLMChoice, ...]:
    out: list[LLMChoice] = []
    seen: dict[str, int] = {}
    for c in choices:
        if any((c.backend, c.model, c.base_url) == (o.backend, o.model, o.base_url) for o in out):
            continue
        n = seen.get(c.label, 0) + 1
        seen[c.label] = n
        out.append(c if n == 1 else LLMChoice(f"{c.label} ({n})", c.backend, c.model, c.base_url))
    return tuple(out)
