"""OmniSearch-style adaptive retrieval as a LangGraph subgraph.

plan -> decide -> (retrieve ->) solve -> decide ... -> refine. With ``look_up_image_first`` and
an input image, an ``identify`` step first runs one image search and shows the captions of the
photo's KB twins with the image facts (measured on the demo set: no better than leaving the
choice to the decision maker, so off by default). The question is split into
sub-questions; for the current one the decision maker picks one of the four fixed actions
(``retrieval.actions``) and writes its query, or judges the evidence sufficient. A solver
answers the sub-question from what came back, citing item ids. A sub-question whose answer
is still unknown is tried again with the earlier attempts shown (so the next query differs),
at most ``tries_per_sub_question`` times. The loop ends when the decision maker says
"answer", when every sub-question is settled, or after ``max_turns`` turns; the refiner then
writes the answer with citations to KB items that were actually retrieved.
"""

from __future__ import annotations

import re
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
    Box,
    Decision,
    cited_ids,
    execute,
    format_items,
    parse_decision,
    parse_final,
    parse_sub_questions,
)
from retrieval.types import Hit, RetrievalResult

_UNKNOWN = re.compile(r"\bunknown\b|\bnot sure\b|\bnot (?:mentioned|stated|specified|provided|given|known)\b|"
                      r"\bno (?:information|mention)\b|\bcannot be determined\b|\bdo(?:es)? not (?:say|tell|mention)\b",
                      re.IGNORECASE)
IDENTIFY_QUESTION = "Which KB photos look like the input image?"
MAX_REFINE_DOCS = 6  # the refiner's prompt is the loop's longest; more documents mostly add noise
# Hits scoring under this fraction of the best hit of the same search are dropped: an image search
# finds its near-duplicate at ~1.0 and unrelated photos at ~0.2, and a small solver reads whatever
# it is shown as relevant.
RELATIVE_SCORE_CUTOFF = 0.6


class LoopState(TypedDict, total=False):
    question: str
    image_facts: str
    sub_questions: list[str]
    current: int  # index of the sub-question being worked on
    tries: int  # attempts on the current sub-question so far
    turn: int
    decision: dict
    items: list[dict]
    evidence: dict[str, dict]  # item id -> Hit.to_dict(), everything retrieved so far
    sub_answers: list[dict]
    identified: list[dict]  # the opening image lookup, shown as turn 1 but not a sub-answer to plan around
    retrieval_calls: int
    stopped_by: str
    answer: str
    explanation: str
    citations: list[dict]


def _ask(llm: LLM, user: str, *, schema: dict | None = None, max_tokens: int = 200) -> str:
    try:
        return llm.chat([{"role": "system", "content": prompts.SYSTEM}, {"role": "user", "content": user}],
                        json_schema=schema, max_tokens=max_tokens).text
    except LLMError:
        return ""  # every caller has a safe fallback for an empty reply


def is_unknown(answer: str) -> bool:
    return not answer.strip() or bool(_UNKNOWN.search(answer))


def citation(hit: dict) -> dict:
    return {"id": hit["id"], "source": hit["source"], "modality": hit["modality"], "snippet": hit["snippet"],
            "thumbnail_path": hit.get("thumbnail_path"), "score": hit["score"]}


def _kept(hits: list[Hit]) -> list[Hit]:
    best = max((h.score for h in hits), default=0.0)
    return [h for h in hits if best <= 0 or h.score >= RELATIVE_SCORE_CUTOFF * best]


def _hits(dicts: list[dict]) -> list[Hit]:
    return [Hit(**{k: v for k, v in h.items() if k != "snippet"}) for h in dicts]


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
    docs = format_items(_hits(refine_documents(sub_answers, evidence)))
    text = _ask(llm, prompts.answer(question, image_facts, sub_answers, docs), schema=REFINE_SCHEMA, max_tokens=160)
    data = parse_final(text)
    answer = data.get("answer").strip() if isinstance(data.get("answer"), str) else ""
    explanation = data.get("explanation") if isinstance(data.get("explanation"), str) else ""
    wanted = [c for c in data.get("citations", []) if isinstance(c, str)] if isinstance(data.get("citations"), list) else []
    ids = cited_ids(" ".join(wanted) + " " + answer + " " + explanation, set(evidence))
    if not ids:
        for sub in sub_answers:
            ids += [c for c in sub.get("cites", []) if c not in ids]
    return answer or "unknown", explanation, [citation(evidence[i]) for i in ids]


def build_graph(kb: Any, llm: LLM, *, image: Any = None, max_turns: int = 5, k: int = 4,
                tries_per_sub_question: int = 2, look_up_image_first: bool = False, locate: Callable[[Any, str], Box | None] | None = None,
                on_event: Callable[[dict], None] | None = None):
    has_image = image is not None

    def record_turn(turn: int, d: dict, answer: str, items: list[dict], cites: list[str]) -> dict:
        """One turn of the visible chain: kept in the result and streamed to ``on_event``."""
        if on_event is not None:
            on_event({"type": "retrieval", "turn": turn, "action": d["action"], "query": d["query"],
                      "items": [citation(h) for h in items], "sub_answer": answer})
        return {"turn": turn, "sub_question": d["sub_question"], "action": d["action"], "query": d["query"],
                "focus": d["focus"], "answer": answer, "cites": cites, "items": [h["id"] for h in items]}

    def identify(state: LoopState) -> dict:
        if not (has_image and look_up_image_first):
            return {}
        decision = Decision(False, IDENTIFY_QUESTION, "image_search", "")
        hits = _kept(execute(decision, kb, image, k, None))
        if not hits:
            return {"retrieval_calls": state["retrieval_calls"] + 1}
        items = [h.to_dict() for h in hits]
        facts = (f"{state['image_facts'].strip()}\nKB photos that look like the input image:\n"
                 f"{format_items(hits)}").strip()
        summary = "; ".join(f"{h.text[:120]} [{h.id}]" for h in hits)
        sub = record_turn(1, decision.to_dict(), summary, items, cites=[h.id for h in hits])
        return {"image_facts": facts, "evidence": {h["id"]: h for h in items},
                "retrieval_calls": state["retrieval_calls"] + 1, "turn": 1,
                "identified": [sub]}

    def plan(state: LoopState) -> dict:
        text = _ask(llm, prompts.plan(state["question"], state["image_facts"]), schema=DECOMPOSE_SCHEMA)
        return {"sub_questions": parse_sub_questions(text, state["question"])}

    def decide(state: LoopState) -> dict:
        if state["current"] >= len(state["sub_questions"]):
            return {"stopped_by": "complete", "decision": {}}
        if state["turn"] >= max_turns:
            return {"stopped_by": "budget", "decision": {}}
        current = state["sub_questions"][state["current"]]
        tried = [a for a in state["sub_answers"] if a["sub_question"] == current]
        user = prompts.decide(state["question"], state["image_facts"], state["sub_answers"], current, tried,
                              has_image=has_image, turn=state["turn"] + 1, max_turns=max_turns)
        decision = parse_decision(_ask(llm, user, schema=DECISION_SCHEMA, max_tokens=80), current,
                                  has_image=has_image)
        if not state["retrieval_calls"] and (decision.sufficient or decision.action == "no_retrieval"):
            # The loop runs because a KB was given for a question the image alone cannot answer; a small
            # model that declares "sufficient" before looking anything up would answer from nothing.
            decision = Decision(False, current, "text_search", decision.query or current, valid=False)
        return {"decision": decision.to_dict(), **({"stopped_by": "sufficient"} if decision.sufficient else {})}

    def after_decide(state: LoopState) -> Literal["retrieve", "solve", "refine"]:
        if state.get("stopped_by"):
            return "refine"
        return "solve" if state["decision"]["action"] == "no_retrieval" else "retrieve"

    def retrieve(state: LoopState) -> dict:
        d = state["decision"]
        decision = Decision(False, d["sub_question"], d["action"], d["query"], d["focus"])
        items = [h.to_dict() for h in _kept(execute(decision, kb, image, k, locate))]
        return {"items": items, "evidence": {**state["evidence"], **{h["id"]: h for h in items}},
                "retrieval_calls": state["retrieval_calls"] + 1}

    def solve(state: LoopState) -> dict:
        d = state["decision"]
        items = state.get("items", []) if d["action"] != "no_retrieval" else []
        user = prompts.solve(state["question"], state["image_facts"], d["sub_question"], format_items(_hits(items)))
        text = _ask(llm, user, max_tokens=80).strip() or "unknown"
        sub = record_turn(state["turn"] + 1, d, text, items, cites=cited_ids(text, {h["id"] for h in items}))
        settled = not is_unknown(text) or state["tries"] + 1 >= tries_per_sub_question
        return {"sub_answers": state["sub_answers"] + [sub], "turn": state["turn"] + 1, "items": [],
                "current": state["current"] + 1 if settled else state["current"],
                "tries": 0 if settled else state["tries"] + 1}

    def refine(state: LoopState) -> dict:
        answer, explanation, cites = refine_answer(llm, state["question"], state["image_facts"],
                                                   state["sub_answers"], state["evidence"])
        return {"answer": answer, "explanation": explanation, "citations": cites}

    graph = StateGraph(LoopState)
    for name, fn in (("identify", identify), ("plan", plan), ("decide", decide), ("retrieve", retrieve), ("solve", solve),
                     ("refine", refine)):
        graph.add_node(name, fn)
    graph.add_edge(START, "identify")
    graph.add_edge("identify", "plan")
    graph.add_edge("plan", "decide")
    graph.add_conditional_edges("decide", after_decide)
    graph.add_edge("retrieve", "solve")
    graph.add_edge("solve", "decide")
    graph.add_edge("refine", END)
    return graph.compile()


def detector_locate(config: Any) -> Callable[[Any, str], Box | None]:
    """``locate`` backed by the configured detector: the largest box whose label matches."""

    def locate(image: Any, label: str) -> Box | None:
        from tools.models import ModelHub

        box = ModelHub.shared(config).detector().detect(image).largest(label)
        return None if box is None else tuple(float(v) for v in box)

    return locate


def adaptive_search(question: str, kb: Any, llm: LLM, *, image: Any = None, image_facts: str = "",
                    max_turns: int | None = None, on_event: Callable[[dict], None] | None = None,
                    k: int = 4, locate: Callable[[Any, str], Box | None] | None = None,
                    look_up_image_first: bool = False) -> RetrievalResult:
    """Answer ``question`` by deciding, turn by turn, what to retrieve from ``kb``."""
    config = getattr(kb, "config", None)
    if max_turns is None:
        max_turns = config.budgets.max_turns if config is not None else 5
    if image is not None:
        from agent.images import load_image

        image = load_image(image)
        if locate is None and config is not None:
            locate = detector_locate(config)
    graph = build_graph(kb, llm, image=image, max_turns=max_turns, k=k, locate=locate, on_event=on_event,
                        look_up_image_first=look_up_image_first)
    state: LoopState = {"question": question, "image_facts": image_facts, "sub_questions": [], "current": 0,
                        "tries": 0, "turn": 0, "decision": {}, "items": [], "evidence": {}, "sub_answers": [], "identified": [],
                        "retrieval_calls": 0}
    final = graph.invoke(state, {"recursion_limit": 4 * max_turns + 12})
    return RetrievalResult(answer=final["answer"], explanation=final["explanation"],
                           sub_answers=final.get("identified", []) + final["sub_answers"],
                           citations=final["citations"], retrieval_calls=final["retrieval_calls"],
                           turns=final["turn"], stopped_by=final.get("stopped_by") or "budget")
