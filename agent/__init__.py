"""visreason agent: controller graph, program interpreter, LLM backends, CLI."""

from __future__ import annotations

__all__ = ["Reasoner", "Answer"]


def __getattr__(name: str):
    # Lazy so that ``import agent.errors`` does not pull in LangGraph and models.
    if name in __all__:
        from agent import reasoner

        return getattr(reasoner, name)
    raise AttributeError(name)
