"""Multimodal retrieval: a local FAISS knowledge base and an adaptive (OmniSearch-style) search loop.

Names are imported lazily so ``import retrieval`` stays cheap (no faiss, torch or langgraph).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "KnowledgeBase": "retrieval.kb", "Hit": "retrieval.types", "RetrievalResult": "retrieval.types",
    "KBError": "retrieval.errors", "adaptive_search": "retrieval.loop", "fixed_retrieval": "retrieval.baselines",
    "no_retrieval": "retrieval.baselines", "ACTIONS": "retrieval.actions", "VectorIndex": "retrieval.index",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
