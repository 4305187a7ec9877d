"""Baselines the adaptive loop is compared with: no retrieval, and one fixed retrieval."""

from __future__ import annotations

from typing import Any

from agent.llm.base import LLM
from retrieval.loop import refine_answer
from retrieval.types import RetrievalResult


def no_retrieval(question: str, llm: LLM, image_facts: str = "") -> RetrievalResult:
    answer, explanation, _ = refine_answer(llm, question, image_facts, [], {})
    return RetrievalResult(answer, explanation, retrieval_calls=0, turns=0, stopped_by="sufficient")


def fixed_retrieval(question: str, kb: Any, llm: LLM, image_facts: str = "", k: int = 4) -> RetrievalResult:
    """One text search with the raw question, then the refiner."""
    evidence = {h.id: h.to_dict() for h in kb.search_text(question, k)}
    answer, explanation, cites = refine_answer(llm, question, image_facts, [], evidence)
    return RetrievalResult(answer, explanation, citations=cites, retrieval_calls=1, turns=1, stopped_by="sufficient")
