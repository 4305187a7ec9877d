"""The semantic refiner: the user-facing answer, its explanation, and the short scored answer."""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig

from agent.deps import Deps
from agent.events import Status
from agent.explain import explain
from agent.nodes_program import run_context
from agent.prompting import REFINE_SCHEMA, evidence_text, parse_json_reply, refine_messages
from agent.reading_rule import reading_answer
from agent.state import AgentState
from agent.values import is_unknown, short_answer


def explain_from_steps(steps: list[dict], answer: str) -> str:
    """A faithful explanation built from the trace itself, in plain words, no LLM involved."""
    return explain(steps, answer)


def make_refine(deps: Deps):
    def refine(state: AgentState, config: RunnableConfig) -> dict:
        ctx = run_context(config)
        result, evidence = state.get("result"), state.get("evidence", [])
        gathered = [e for e in evidence if e.get("kind") in {"subanswer", "retrieval"}]
        if not state.get("error") and state.get("plan_kind") == "program" and not gathered:
            # Reading questions: the answer is the text itself, picked by rule (title, first line, ...).
            # No LLM reads it, so text in the image can never act as an instruction.
            text = reading_answer(state["question"], state.get("steps", []), result)
            if text is not None:
                explanation = explain(state.get("steps", []), f'"{text}"')
                return {"answer": text, "explanation": f"{explanation} (The text is quoted as read.)"}
        free_text = isinstance(result, str) and len(result.split()) > 3  # OCR text, a VQA sentence
        if (not gathered and not free_text and not state.get("error") and not is_unknown(result)
                and state.get("plan_kind") == "program"):
            answer = short_answer(result)
            return {"answer": answer, "explanation": explain_from_steps(state.get("steps", []), answer)}
        text = evidence_text(evidence, state.get("steps", []), result if not state.get("error") else None)
        if ctx.time_left <= 0 or ctx.cancel.is_set():
            return _out_of_time(state, gathered, result)
        ctx.emit(Status("writing the answer from the evidence"))
        raw, seconds = deps.chat(refine_messages(state["question"], text), json_schema=REFINE_SCHEMA, max_tokens=160,
                                 aux=True, ctx=ctx)
        reply = parse_json_reply(raw) or {}
        answer = short_answer(reply.get("answer")) if isinstance(reply.get("answer"), str) else "unknown"
        explanation = reply.get("explanation") if isinstance(reply.get("explanation"), str) else ""
        warnings = []
        retrieved = next((e for e in gathered if e.get("kind") == "retrieval"), None)
        if answer == "unknown" and retrieved and not is_unknown(retrieved.get("answer")):
            answer, explanation = short_answer(retrieved["answer"]), retrieved.get("explanation") or explanation
        if answer == "unknown" and not is_unknown(result) and not state.get("error"):
            answer = short_answer(result)
            warnings.append("refiner could not decide; using the program's result")
        if retrieved and retrieved.get("sources"):
            explanation = f"{explanation} Sources: {', '.join(retrieved['sources'])}".strip()
        return {"answer": answer, "explanation": explanation, "warnings": warnings, "timings": {"llm_s": seconds}}

    return refine


def _out_of_time(state: AgentState, gathered: list[dict], result) -> dict:
    """No time left for the refiner's LLM call: the best answer so far, said honestly."""
    retrieved = next((e for e in gathered if e.get("kind") == "retrieval" and not is_unknown(e.get("answer"))), None)
    if retrieved is not None:
        answer, explanation = short_answer(retrieved["answer"]), retrieved.get("explanation") or ""
    elif not state.get("error") and not is_unknown(result):
        answer, explanation = short_answer(result), explain_from_steps(state.get("steps", []), short_answer(result))
    else:
        answer, explanation = "unknown", "The time budget ran out before the evidence gave an answer."
    return {"answer": answer, "explanation": explanation,
            "warnings": ["stopped early (budget exhausted); best answer so far"]}
