"""What a tool gets besides its arguments: configured models, the result cache, the LLM."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.config import Config
from tools.protocols import Models

if TYPE_CHECKING:
    from agent.llm.base import LLM
    from tools.cache import ToolCache


@dataclass
class ToolContext:
    config: Config = field(default_factory=Config)
    models: Models = None  # type: ignore[assignment]  # None -> the config's shared tools.models.ModelHub
    llm: LLM | None = None  # answers VQA/CAPTION from tool facts when no VLM is configured
    cache: ToolCache | None = None  # tools.cache.ToolCache, content-addressed by image hash, tool and arguments

    def __post_init__(self) -> None:
        if self.models is None:
            from tools.models import ModelHub

            self.models = ModelHub.shared(self.config)
