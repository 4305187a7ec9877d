"""Decide whether the evidence suffices, and gather more: sub-questions or retrieval."""

from __future__ import annotations

from typing import Literal

from langchain_core.runnables import RunnableConfig

from agent.deps import Deps
from agent.events import Program, Status
from agent.nodes_program import run_context, run_program, write_program
from agent.prompting import (
    DECIDE_SCHEMA,
    SUBQUESTION_SCHEMA,
    decide_messages,
    evidence_text,
    parse_json_reply,
    subquestion_messages,
)
from agent.reading_rule import reading_answer
from agent.state import AgentState
from agent.values import is_unknown, short_answer

LOW_CONFIDENCE_MODULES = {"VQA", "CAPTION"}  # answered from tool facts by a small LLM, not from pixels


def weak_evidence(state: AgentState) -> str:
    """Why the program's result cannot be trusted as is ('' when it can)."""
    if state.get("error"):
        return "the program failed"
    if is_unknown(state.get("result")):
        return "the result is empty or unknown"
    for step in state.get("steps", []):
        output = step.get("output")
        if isinstance(output, dict) and output.get("notes") and not output.get("boxes"):
            return "; ".join(output["notes"])  # e.g. a query outside the detector's vocabulary
        if step.get("module") in LOW_CONFIDENCE_MODULES:
            return f"{step['module']} answered from tool facts (low confidence)"
    return ""


def make_decide(deps: Deps):
    def decide(state: AgentState, config: RunnableConfig) -> dict:
        ctx = run_context(config)
        turns = state.get("turns", 0) + 1
        update: dict = {"turns": turns}
        if ctx.cancel.is_set() or ctx.time_left <= 0 or turns > deps.config.budgets.max_turns:
            reason = "cancelled" if ctx.cancel.is_set() else "budget exhausted"
            return update | {"decision": "answer", "warnings": [f"stopped early ({reason}); best answer so far"]}
        if state.get("kb") and not state.get("retrieved"):
            return update | {"decision": "retrieve"}
        if not state.get("error") and reading_answer(state["question"], state.get("steps", []),
                                                      state.get("result")) is not None:
            return update | {"decision": "answer"}  # the text was read: the refiner quotes it by rule
        why = weak_evidence(state)
        if not why:
            return update | {"decision": "answer"}
        if state.get("decomposed"):
            return update | {"decision": "answer", "warnings": [f"evidence may be insufficient: {why}"]}
        if not deps.config.budgets.llm_decide:
            # Rules, no LLM call: sub-questions can only help when the program failed or found nothing;
            # a definite but weakly supported result is answered, with the reason shown to the user.
            failed = bool(state.get("error")) or is_unknown(state.get("result"))
            decision = "subquestions" if failed else "answer"
            ctx.emit(Status(f"decision: {decision} ({why})"))
            warnings = [] if failed else [f"evidence may be insufficient: {why}"]
            return update | {"decision": decision, "warnings": warnings}
        evidence = evidence_text(state.get("evidence", []), state.get("steps", []), state.get("result"))
        text, seconds = deps.chat(decide_messages(state["question"], evidence, bool(state.get("kb"))),
                                  json_schema=DECIDE_SCHEMA, max_tokens=120, aux=True, ctx=ctx)
        reply = parse_json_reply(text) or {}
        decision = reply.get("next") if reply.get("next") in {"answer", "subquestions", "retrieve"} else "subquestions"
        if reply.get("sufficient") is True and state.get("result") is not None and not state.get("error"):
            decision = "answer"
        if decision == "retrieve" and (not state.get("kb") or state.get("retrieved")):
            decision = "subquestions"
        ctx.emit(Status(f"decision: {decision} ({why})"))
        return update | {"decision": decision, "timings": {"llm_s": seconds}}

    return decide


def route_after_decide(state: AgentState) -> Literal["refine", "subquestions", "retrieve"]:
    return {"retrieve": "retrieve", "subquestions": "subquestions"}.get(state.get("decision", ""), "refine")


def make_subquestions(deps: Deps):
    """Multimodal chain of thought: split the question, answer each part with its own program."""

    def subquestions(state: AgentState, config: RunnableConfig) -> dict:
        ctx = run_context(config)
        text, llm_s = deps.chat(subquestion_messages(state["question"], state.get("history")),
                                json_schema=SUBQUESTION_SCHEMA, max_tokens=160, aux=True, ctx=ctx)
        parts = [q for q in (parse_json_reply(text) or {}).get("subquestions", []) if isinstance(q, str) and q.strip()][:3]
        evidence, steps, tools_s = [], [], 0.0
        for sub in parts:
            if ctx.cancel.is_set() or ctx.time_left <= 0:
                break
            ctx.emit(Status(f"sub-question: {sub}"))
            program, _, seconds = write_program(deps, sub, state["image_names"], ctx=ctx)
            llm_s += seconds
            ctx.emit(Program(program, 1, subquestion=sub))
            run = run_program(deps, ctx, program)
            steps += run["steps"]
            tools_s += run["timings"]["tools_s"]
            answer = "unknown" if run["error"] else short_answer(run["result"])
            evidence.append({"kind": "subanswer", "question": sub, "program": program, "answer": answer,
                             "error": run["error"]["message"] if run["error"] else None})
        update = {"decomposed": True, "evidence": evidence, "steps": steps,
                  "timings": {"llm_s": llm_s, "tools_s": tools_s}}
        if state.get("error"):
            update["plan_kind"] = "cot"
        return update

    return subquestions


def make_retrieve(deps: Deps):
    """OmniSearch-style adaptive retrieval over the knowledge base given with the question."""

    def retrieve(state: AgentState, config: RunnableConfig) -> dict:
        from retrieval.loop import DEFAULT_SECONDS, adaptive_search

        ctx = run_context(config)
        facts = evidence_text(state.get("evidence", []), state.get("steps", []), state.get("result"))
        image = next(iter(ctx.images.values()), None)
        describe = getattr(ctx.kb, "describe", None)
        if image is not None and callable(describe):
            # The KB's image items were described by the same tools, so this text is what links the
            # photo to them (e.g. "1 bus (blue)"); the program's own steps may not have looked at colour.
            facts = f"{describe(image)}\n{facts}".strip()
        out = adaptive_search(state["question"], ctx.kb, deps.aux_llm or deps.llm, image=image, image_facts=facts,
                              max_turns=deps.config.budgets.max_turns, on_event=ctx.emit,
                              time_limit=max(0.0, min(DEFAULT_SECONDS, ctx.time_left)))
        item = {"kind": "retrieval", "answer": out.answer, "explanation": out.explanation,
                "citations": out.citations, "sources": sorted({c.get("source", "") for c in out.citations}),
                "sub_answers": out.sub_answers, "retrieval_calls": out.retrieval_calls, "stopped_by": out.stopped_by}
        return {"retrieved": True, "evidence": [item]}

    return retrieve
