"""Baselines the adaptive loop is compared with: no retrieval, and one fixed retrieval.

Both end with one LLM call (the ANSWER step, same system prompt as the loop) that writes the final
answer from whatever documents they have; only ids that were retrieved are kept as citations.
"""

from __future__ import annotations

from agent.errors import LLMError
from agent.llm.base import LLM
from retrieval import prompts
from retrieval.actions import CITED_ANSWER_SCHEMA, cited_ids, format_items, parse_final
from retrieval.loop import citation
from retrieval.types import Hit, RetrievalResult, SearchableKB

MAX_REFINE_DOCS = 6  # the refiner's prompt is the longest; more documents mostly add noise


def refine_documents(sub_answers: list[dict], evidence: dict[str, dict], limit: int = MAX_REFINE_DOCS) -> list[dict]:
    """Items the sub-answers cited, then the best of each retrieval turn by turn, up to ``limit``."""
    order = [i for sub in sub_answers for i in sub.get("cites", [])]
    per_turn = [sub.get("items", []) for sub in sub_answers]
    for rank in range(max((len(ids) for ids in per_turn), default=0)):
        order += [ids[rank] for ids in per_turn if rank < len(ids)]
    order += list(evidence)  # callers without turns (the fixed baseline) keep retrieval order
    chosen: list[str] = []
    for item_id in order:
        if item_id in evidence and item_id not in chosen:
            chosen.append(item_id)
    return [evidence[i] for i in chosen[:limit]]


def refine_answer(llm: LLM, question: str, image_facts: str, sub_answers: list[dict],
                  evidence: dict[str, dict]) -> tuple[str, str, list[dict]]:
    """Final answer, explanation and citations (only ids that were retrieved are kept)."""
    hits = [Hit(**{k: v for k, v in h.items() if k != "snippet"}) for h in refine_documents(sub_answers, evidence)]
    user = prompts.answer(question, image_facts, sub_answers, format_items(hits))
    try:
        text = llm.chat([{"role": "system", "content": prompts.SYSTEM}, {"role": "user", "content": user}],
                        json_schema=CITED_ANSWER_SCHEMA, max_tokens=160).text
    except LLMError:
        text = ""
    data = parse_final(text)
    answer = data.get("answer").strip() if isinstance(data.get("answer"), str) else ""
    explanation = data.get("explanation") if isinstance(data.get("explanation"), str) else ""
    wanted = [c for c in data.get("citations", []) if isinstance(c, str)] if isinstance(data.get("citations"), list) else []
    ids = cited_ids(" ".join(wanted) + " " + answer + " " + explanation, set(evidence))
    if not ids:
        for sub in sub_answers:
            ids += [c for c in sub.get("cites", []) if c not in ids]
    return answer or "unknown", explanation, [citation(evidence[i]) for i in ids]


def no_retrieval(question: str, llm: LLM, image_facts: str = "") -> RetrievalResult:
    answer, explanation, _ = refine_answer(llm, question, image_facts, [], {})
    return RetrievalResult(answer, explanation, retrieval_calls=0, turns=0, stopped_by="sufficient")


def fixed_retrieval(question: str, kb: SearchableKB, llm: LLM, image_facts: str = "", k: int = 4) -> RetrievalResult:
    """One text search with the raw question, then the refiner."""
    evidence = {h.id: h.to_dict() for h in kb.search_text(question, k)}
    answer, explanation, cites = refine_answer(llm, question, image_facts, [], evidence)
    return RetrievalResult(answer, explanation, citations=cites, retrieval_calls=1, turns=1, stopped_by="sufficient")
