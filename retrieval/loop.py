"""OmniSearch-style adaptive retrieval as a LangGraph subgraph.

decompose -> decide -> (retrieve ->) solve -> decide ... -> refine. The decision maker picks
one of the four fixed actions per turn (``retrieval.actions``); the loop ends when it judges
the evidence sufficient or when ``max_turns`` turns have run, and the refiner writes the
answer with citations to the KB items that were actually retrieved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypedDict

from langgraph.graph import END, START, StateGraph

from agent.errors import LLMError
from agent.llm.base import LLM
from retrieval import prompts
from retrieval.actions import (
    DECISION_SCHEMA,
    DECOMPOSE_SCHEMA,
    REFINE_SCHEMA,
    Decision,
    cited_ids,
    execute,
    format_items,
    parse_decision,
    parse_json_object,
    parse_sub_questions,
)
from retrieval.types import Hit, RetrievalResult


class LoopState(TypedDict, total=False):
    question: str
    image_facts: str
    sub_questions: list[str]
    turn: int
    decision: dict
    items: list[dict]
    evidence: dict[str, dict]  # item id -> Hit.to_dict(), everything retrieved so far
    sub_answers: list[dict]
    retrieval_calls: int
    stopped_by: str
    answer: str
    explanation: str
    citations: list[dict]


def _ask(llm: LLM, system: str, user: str, *, schema: dict | None = None, max_tokens: int = 200) -> str:
    try:
        return llm.chat([{"role": "system", "content": system}, {"role": "user", "content": user}],
                        json_schema=schema, max_tokens=max_tokens).text
    except LLMError:
        return ""  # every caller has a safe fallback for an empty reply


def citation(hit: dict) -> dict:
    return {"id": hit["id"], "source": hit["source"], "modality": hit["modality"], "snippet": hit["snippet"],
            "thumbnail_path": hit.get("thumbnail_path"), "score": hit["score"]}


def refine_answer(llm: LLM, question: str, image_facts: str, sub_answers: list[dict],
                  evidence: dict[str, dict]) -> tuple[str, str, list[dict]]:
    """Final answer, explanation and citations (only ids that were retrieved are kept)."""
    docs = format_items([Hit(**{k: v for k, v in h.items() if k != "snippet"}) for h in evidence.values()])
    user = (f"Question: {question}\n{prompts.facts_block(image_facts)}\n{prompts.answers_block(sub_answers)}\n"
            f"Documents:\n{docs}")
    text = _ask(llm, prompts.REFINE, user, schema=REFINE_SCHEMA)
    data = parse_json_object(text) or {}
    answer = data.get("answer") if isinstance(data.get("answer"), str) else text.strip()
    explanation = data.get("explanation") if isinstance(data.get("explanation"), str) else ""
    wanted = [c for c in data.get("citations", []) if isinstance(c, str)] if isinstance(data.get("citations"), list) else []
    ids = cited_ids(" ".join(wanted) + " " + answer + " " + explanation, set(evidence))
    if not ids:
        for sub in sub_answers:
            ids += [c for c in sub.get("cites", []) if c not in ids]
    return answer or "unknown", explanation, [citation(evidence[i]) for i in ids]


def build_graph(kb: Any, llm: LLM, *, image: Any = None, max_turns: int = 5, k: int = 4,
                on_event: Callable[[dict], None] | None = None):
    has_image = image is not None

    def decompose(state: LoopState) -> dict:
        user = f"Question: {state['question']}\n{prompts.facts_block(state['image_facts'])}"
        text = _ask(llm, prompts.DECOMPOSE, user, schema=DECOMPOSE_SCHEMA)
        return {"sub_questions": parse_sub_questions(text, state["question"])}

    def decide(state: LoopState) -> dict:
        if state["turn"] >= max_turns:
            return {"stopped_by": "budget", "decision": {}}
        pending = [q for q in state["sub_questions"] if q not in {a["sub_question"] for a in state["sub_answers"]}]
        user = (f"Question: {state['question']}\nSub-questions: {state['sub_questions']}\n"
                f"{prompts.facts_block(state['image_facts'])}\n{prompts.answers_block(state['sub_answers'])}\n"
                f"Input image available: {'yes' if has_image else 'no'}. Turn {state['turn'] + 1} of {max_turns}.")
        text = _ask(llm, prompts.DECIDE, user, schema=DECISION_SCHEMA)
        fallback = pending[0] if pending else state["question"]
        decision = parse_decision(text, fallback, has_image=has_image)
        if not state["retrieval_calls"] and (decision.sufficient or decision.action == "no_retrieval"):
            # The loop runs because a KB was given for a question the image alone cannot answer; a small
            # model that declares "sufficient" before looking anything up would answer from nothing.
            decision = Decision(False, decision.sub_question or fallback, "text_search",
                                decision.query or decision.sub_question or fallback, valid=False)
        return {"decision": decision.to_dict(), **({"stopped_by": "sufficient"} if decision.sufficient else {})}

    def after_decide(state: LoopState) -> Literal["retrieve", "solve", "refine"]:
        if state.get("stopped_by"):
            return "refine"
        return "solve" if state["decision"]["action"] == "no_retrieval" else "retrieve"

    def retrieve(state: LoopState) -> dict:

        d = state["decision"]
        decision = Decision(False, d["sub_question"], d["action"], d["query"], tuple(d["crop"]) if d["crop"] else None)
        hits = execute(decision, kb, image, k)
        items = [h.to_dict() for h in hits]
        return {"items": items, "evidence": {**state["evidence"], **{h["id"]: h for h in items}},
                "retrieval_calls": state["retrieval_calls"] + 1}

    def solve(state: LoopState) -> dict:
        d = state["decision"]
        items = state.get("items", []) if d["action"] != "no_retrieval" else []
        docs = format_items([Hit(**{k: v for k, v in h.items() if k != "snippet"}) for h in items])
        user = (f"Sub-question: {d['sub_question']}\n{prompts.facts_block(state['image_facts'])}\n"
                f"Documents:\n{docs}")
        text = _ask(llm, prompts.SOLVE, user, max_tokens=120).strip() or "unknown"
        sub = {"turn": state["turn"] + 1, "sub_question": d["sub_question"], "action": d["action"],
               "query": d["query"], "answer": text, "cites": cited_ids(text, {h["id"] for h in items})}
        if on_event is not None:
            on_event({"type": "retrieval", "turn": sub["turn"], "action": d["action"], "query": d["query"],
                      "items": [citation(h) for h in items], "sub_answer": text})
        return {"sub_answers": state["sub_answers"] + [sub], "turn": state["turn"] + 1, "items": []}

    def refine(state: LoopState) -> dict:
        answer, explanation, cites = refine_answer(llm, state["question"], state["image_facts"],
                                                   state["sub_answers"], state["evidence"])
        return {"answer": answer, "explanation": explanation, "citations": cites}

    graph = StateGraph(LoopState)
    for name, fn in (("decompose", decompose), ("decide", decide), ("retrieve", retrieve), ("solve", solve),
                     ("refine", refine)):
        graph.add_node(name, fn)
    graph.add_edge(START, "decompose")
    graph.add_edge("decompose", "decide")
    graph.add_conditional_edges("decide", after_decide)
    graph.add_edge("retrieve", "solve")
    graph.add_edge("solve", "decide")
    graph.add_edge("refine", END)
    return graph.compile()


def adaptive_search(question: str, kb: Any, llm: LLM, *, image: Any = None, image_facts: str = "",
                    max_turns: int | None = None, on_event: Callable[[dict], None] | None = None,
                    k: int = 4) -> RetrievalResult:
    """Answer ``question`` by deciding, turn by turn, what to retrieve from ``kb``."""
    if max_turns is None:
        max_turns = kb.config.budgets.max_turns if hasattr(kb, "config") else 5
    if image is not None:
        from agent.images import load_image

        image = load_image(image)
    graph = build_graph(kb, llm, image=image, max_turns=max_turns, k=k, on_event=on_event)
    state: LoopState = {"question": question, "image_facts": image_facts, "sub_questions": [], "turn": 0,
                        "decision": {}, "items": [], "evidence": {}, "sub_answers": [], "retrieval_calls": 0}
    final = graph.invoke(state, {"recursion_limit": 4 * max_turns + 12})
    return RetrievalResult(answer=final["answer"], explanation=final["explanation"], sub_answers=final["sub_answers"],
                           citations=final["citations"], retrieval_calls=final["retrieval_calls"],
                           turns=final["turn"], stopped_by=final.get("stopped_by") or "budget")
