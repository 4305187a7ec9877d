"""What a tool gets besides its arguments: configured models, the result cache, the LLM."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.config import Config

if TYPE_CHECKING:
    from agent.llm.base import LLM


@dataclass
class ToolContext:
    config: Config = field(default_factory=Config)
    models: Any = None  # tools.models.ModelHub: lazy, thread-safe loaders of the configured backends
    llm: LLM | None = None  # answers VQA/CAPTION from tool facts when no VLM is configured
    cache: Any = None  # tools.cache.ToolCache, content-addressed by image hash, tool and arguments

    def __post_init__(self) -> None:
        if self.models is None:
            from tools.models import ModelHub

            self.models = ModelHub.shared(self.config)
