"""Program memory: verified programs stored as templates with typed slots, reused without the LLM."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agent.memory.library import Embed, Match, ProgramMemory, entry_from, seed_entries
from agent.memory.store import Entry, MemoryCorruptError, MemoryStore

if TYPE_CHECKING:
    from agent.config import Config
    from tools.registry import ToolRegistry

__all__ = ["Entry", "Match", "MemoryCorruptError", "MemoryStore", "ProgramMemory", "entry_from", "open_memory",
           "memory_path", "program_checker", "seed_entries"]


def program_checker(registry: ToolRegistry) -> Callable[[str, list[str]], None]:
    """The same static check an LLM's program gets: parse (whitelisted AST) + registry signatures."""
    from agent.program.parser import check_program, parse_program

    def check(program: str, image_names: list[str]) -> None:
        check_program(parse_program(program), registry, inputs=image_names)

    return check


def memory_path(config: Config) -> Path:
    return Path(config.memory.path).expanduser() if config.memory.path else config.home_path / "memory"


def open_memory(config: Config, registry: ToolRegistry, embed: Embed | None) -> ProgramMemory:
    return ProgramMemory(MemoryStore(memory_path(config)), seed_entries(), embed,
                         check=program_checker(registry), threshold=config.memory.threshold)
