"""Plan, execute, repair and fall back: the program half of the controller."""

from __future__ import annotations

import re
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig

from agent.deps import Deps
from agent.errors import BudgetExceeded, VisreasonError
from agent.events import ErrorEvent, Program, Status, Step, WarningEvent
from agent.prompting import plan_messages, repair_messages
from agent.question_rules import family_program
from agent.reading_rule import reading_program
from agent.state import AgentState, RunContext
from agent.trace import jsonable, png_data_url

_PROGRAM_LINE = re.compile(r"^\s*[A-Za-z_]\w*\s*=\s*[A-Za-z_]\w*\s*\(.*\)\s*$")


def run_context(config: RunnableConfig) -> RunContext:
    return config["configurable"]["run"]


def clean_program(text: str) -> str:
    """Keep only program lines: unconstrained backends may add fences or prose."""
    lines = [line.strip() for line in text.replace("```", "\n").splitlines() if _PROGRAM_LINE.match(line)]
    out = []
    for line in lines:
        out.append(line)
        if line.replace(" ", "").startswith(("FINAL_RESULT=RESULT(", "FINAL_ANSWER=RESULT(")):
            break
    return "\n".join(out)


def write_program(deps: Deps, question: str, image_names: list[str], history: list[dict] | None = None,
                  draft: str | None = None, ctx: RunContext | None = None,
                  repair: tuple[str, str] | None = None) -> tuple[str, list[dict], float]:
    """The LLM writes a program. ``draft`` (the nearest remembered template, filled in) joins the
    prompt's tail only, so the few-shot prefix stays cached. ``repair`` = (failed program, error for the LLM)
    asks for a corrected program on the same prompt (the repair node)."""
    examples = deps.selector.select(question, k=deps.n_examples, n_images=len(_distinct(image_names)))
    messages = plan_messages(question, examples, deps.registry.prompt_docs(), image_names, history,
                             draft=None if repair else draft)
    if repair is not None:
        messages = repair_messages(messages, question, *repair)
    text, seconds = deps.chat(messages, grammar=deps.program_grammar(tuple(image_names)),
                              max_tokens=deps.config.llm.max_tokens, stop=None if repair else ["\n\n\n"],
                              llm=deps.planner(examples[0].group if examples else ""), ctx=ctx)
    return clean_program(text), messages, seconds


def planner_prefixes(deps: Deps, image_names: list[str]) -> list[list[dict]]:
    """The planner's prompts for ``image_names`` up to their few-shot prefix, one per question family:
    what ``write_program`` sends, with a placeholder question (only the prefix before it is reused)."""
    n_images, docs = len(_distinct(image_names)), deps.registry.prompt_docs()
    return [plan_messages("?", examples, docs, image_names)
            for examples in deps.selector.families(k=deps.n_examples, n_images=n_images)]


def _recall(deps: Deps, state: AgentState):
    """The program memory's best template for this question (None without a memory or in a follow-up)."""
    memory = deps.memory
    if memory is None or state.get("history") or not deps.config.memory.enabled:
        return None, []
    match = memory.lookup(state["question"], state["image_names"])
    if memory.error is not None:
        return None, [f"program memory unavailable ({memory.error.message}); the LLM planned instead"]
    return match, []


def _distinct(image_names: list[str]) -> list[str]:
    """LEFT/RIGHT and IMAGE_0/IMAGE_1 name the same two images."""
    return [n for n in image_names if not n.startswith("IMAGE_")] or image_names


def make_plan(deps: Deps):
    def plan(state: AgentState, config: RunnableConfig) -> dict:
        ctx = run_context(config)
        cached = None if state.get("history") else deps.cached_program(state["question"], state["image_names"])
        if cached is not None:
            ctx.emit(Status("reusing the program written earlier for the same question"))
            ctx.emit(Program(cached, 1, cached=True))
            return {"program": cached, "plan_kind": "program", "repairs": 0, "planned_by": {"source": "cache"}}
        family = family_program(state["question"], _distinct(state["image_names"])) if not state.get("history") else None
        if family is not None:  # category and scene questions: a fixed program, no LLM, before any template
            kind, program = family
            ctx.emit(Status(f"{kind} question: a fixed {dict(category='CLASSIFY', scene='SCENE').get(kind, 'OCR')} program (no LLM)"))
            ctx.emit(Program(program, 1))
            return {"program": program, "plan_kind": "program", "repairs": 0,
                    "planned_by": {"source": "rule", "rule": kind}}
        match, warnings = _recall(deps, state)
        if match is not None and match.confident:
            ctx.emit(Status(match.describe()))
            ctx.emit(Program(match.program, 1, memory=match.entry.id))
            return {"program": match.program, "plan_kind": "program", "repairs": 0, "warnings": warnings,
                    "planned_by": {"source": "memory", "template": match.entry.id,
                                   "similarity": round(match.similarity, 3), "example": match.entry.question}}
        rule = reading_program(state["question"], state["image_names"]) if not state.get("history") else None
        if rule is not None and match is None:
            ctx.emit(Status("reading question: the program reads the image's text (no LLM)"))
            ctx.emit(Program(rule, 1))
            return {"program": rule, "plan_kind": "program", "repairs": 0, "warnings": warnings,
                    "planned_by": {"source": "rule", "rule": "reading"}}
        draft = match.program if match is not None and deps.config.memory.draft else None
        ctx.emit(Status("writing a program"))
        program, _, seconds = write_program(deps, state["question"], state["image_names"], state.get("history"),
                                            draft=draft, ctx=ctx)
        ctx.emit(Program(program, 1))
        planned = {"source": "llm"}
        if draft:
            planned |= {"draft_template": match.entry.id, "similarity": round(match.similarity, 3),
                        "draft_kept": program.strip() == draft.strip()}
        return {"program": program, "plan_kind": "program", "repairs": 0, "timings": {"llm_s": seconds},
                "warnings": warnings, "planned_by": planned}

    return plan


def run_program(deps: Deps, ctx: RunContext, program: str) -> dict[str, Any]:
    """Run one program; returns a partial state update (result or error, steps, timings)."""
    from agent.program.interpreter import Interpreter

    budgets = deps.config.budgets
    interpreter = Interpreter(deps.registry, ctx.tool_ctx, budgets)

    def on_step(step) -> None:
        png = step.picture() if ctx.render_images else None
        url = png_data_url(png) if png else None
        index = ctx.steps_emitted
        ctx.steps_emitted += 1
        if url:
            ctx.step_images[index] = url
        ctx.emit(Step(step.to_dict(), url, index))

    try:
        run = interpreter.run(program, ctx.images, on_step=on_step, cancel=ctx.cancel)
    except VisreasonError as exc:
        trace = getattr(exc, "trace", None)
        steps = [s.to_dict() for s in trace.steps] if trace is not None else []
        tools_s = sum(s.get("ms", 0) for s in steps) / 1000
        ctx.emit(ErrorEvent(exc.to_dict()))
        return {"error": {**exc.to_dict(), "for_llm": exc.for_llm()}, "steps": steps, "result": None,
                "attempts": [{"program": program, "error": exc.to_dict()}], "timings": {"tools_s": tools_s}}
    steps = [s.to_dict() for s in run.trace.steps]
    tools_s = sum(s.get("ms", 0) for s in steps) / 1000
    return {"error": None, "result": jsonable(run.result), "raw_result_type": type(run.result).__name__,
            "steps": steps, "attempts": [{"program": program, "error": None}], "timings": {"tools_s": tools_s}}


def make_execute(deps: Deps):
    def execute(state: AgentState, config: RunnableConfig) -> dict:
        ctx = run_context(config)
        update = run_program(deps, ctx, state["program"])
        update.pop("raw_result_type", None)
        if not update["error"] and state.get("plan_kind") == "program" and not state.get("history"):
            deps.remember_program(state["question"], state["image_names"], state["program"])
        return update

    return execute


def route_after_execute(deps: Deps):
    def route(state: AgentState, config: RunnableConfig) -> Literal["decide", "repair", "fallback"]:
        error = state.get("error")
        if not error:
            return "decide"
        ctx = run_context(config)
        out_of_time = ctx.time_left <= 0 or ctx.cancel.is_set() or error.get("type") == BudgetExceeded.__name__
        if state.get("plan_kind") == "fallback" or out_of_time:
            return "decide"
        if state.get("repairs", 0) < deps.config.budgets.max_repairs:
            return "repair"
        return "fallback"

    return route


def make_repair(deps: Deps):
    def repair(state: AgentState, config: RunnableConfig) -> dict:
        ctx = run_context(config)
        attempt = state.get("repairs", 0) + 1
        ctx.emit(Status(f"repairing the program (try {attempt})"))
        program, _, seconds = write_program(deps, state["question"], state["image_names"], state.get("history"),
                                            ctx=ctx, repair=(state["program"], state["error"]["for_llm"]))
        ctx.emit(Program(program, attempt + 1))
        return {"program": program, "repairs": attempt, "timings": {"llm_s": seconds}}

    return repair


def fallback_program(question: str, image_names: list[str]) -> str:
    """Direct VQA on the whole first image. The question enters as a quoted literal (data)."""
    image = "LEFT" if "LEFT" in image_names else image_names[0]
    return f"ANSWER0=VQA(image={image},question={question[:500]!r})\nFINAL_RESULT=RESULT(var=ANSWER0)"


def make_fallback(deps: Deps):
    def fallback(state: AgentState, config: RunnableConfig) -> dict:
        ctx = run_context(config)
        program = fallback_program(state["question"], state["image_names"])
        warning = f"fallback: {state.get('repairs', 0)} repairs failed; answering with direct VQA on the whole image"
        ctx.emit(WarningEvent(warning))
        ctx.emit(Program(program, state.get("repairs", 0) + 2))
        return {"program": program, "plan_kind": "fallback", "warnings": [warning]}

    return fallback
