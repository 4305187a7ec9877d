"""Runs a parsed visual program step by step on a tool registry, within budgets.

Every step is validated (module, argument names and kinds) before its tool runs; tool failures
become ToolExecutionError naming the line; errors carry the partial trace (``exc.trace``).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.config import BudgetConfig
from agent.errors import BudgetExceeded, ToolExecutionError, UndefinedVariableError, VisreasonError
from agent.program.parser import DEFAULT_LIMITS, Program, ProgramLimits, Var, check_program, parse_program
from agent.trace import StepTrace, Trace, describe, jsonable, step_picture, summarise_args
from tools.logic import program_variables

if TYPE_CHECKING:
    from tools.context import ToolContext
    from tools.registry import ToolRegistry


@dataclass
class RunResult:
    result: Any  # a tool value of any kind (Detections, image, text, number, ...)
    trace: Trace
    variables: dict[str, Any]
    seconds: float  # total wall time of run(), parsing included; minus sum(step.ms) = interpreter overhead

    @property
    def tool_seconds(self) -> float:
        return sum(s.ms for s in self.trace.steps) / 1000


class Interpreter:
    def __init__(self, registry: ToolRegistry, ctx: ToolContext | None = None, budgets: BudgetConfig | None = None, *,
                 limits: ProgramLimits = DEFAULT_LIMITS, render_images: bool = True) -> None:
        self.registry = registry
        self.ctx = ctx
        self.budgets = budgets or BudgetConfig()
        self.limits = limits
        self.render_images = render_images

    def run(self, program: Program | str, images: Mapping[str, Any], on_step: Callable[[StepTrace], None] | None = None,
            cancel: threading.Event | None = None) -> RunResult:
        started = time.perf_counter()
        trace = Trace(program=program if isinstance(program, str) else program.source)
        try:
            if isinstance(program, str):
                program = parse_program(program, self.limits)
            check_program(program, self.registry, inputs=images.keys())
            if len(program.steps) > self.budgets.max_steps:
                extra = program.steps[self.budgets.max_steps]
                raise BudgetExceeded(f"program has {len(program.steps)} steps, the budget is {self.budgets.max_steps}",
                                     line=extra.line, hint="Use fewer steps.")
            state: dict[str, Any] = dict(images)
            deadline = started + self.budgets.program_seconds
            for step in program.steps:
                if cancel is not None and cancel.is_set():
                    raise BudgetExceeded("program cancelled", line=step.line)
                if time.perf_counter() > deadline:
                    raise BudgetExceeded(f"program exceeded its time budget of {self.budgets.program_seconds:g} s",
                                         line=step.line, hint="Use fewer or cheaper steps.")
                record = self._step(step, state, trace)
                if on_step is not None:
                    on_step(record)
            result = state[program.result_var]
            trace.result = result
            return RunResult(result, trace, state, time.perf_counter() - started)
        except VisreasonError as exc:
            exc.trace = trace  # type: ignore[attr-defined]
            raise

    def _step(self, step, state: dict[str, Any], trace: Trace) -> StepTrace:
        resolved: dict[str, Any] = {}
        for name, arg in step.args.items():
            if isinstance(arg, Var):
                if arg.name not in state:
                    raise UndefinedVariableError(f"variable {arg.name!r} is not defined", line=step.line)
                resolved[name] = state[arg.name]
            else:
                resolved[name] = arg
        tool = self.registry.get(step.module, line=step.line)
        t0 = time.perf_counter()
        try:
            bound = tool.bind(resolved, line=step.line)
            t0 = time.perf_counter()
            with program_variables(state):
                output = tool.func(self.ctx, **bound)
            ms = (time.perf_counter() - t0) * 1000
        except Exception as exc:
            ms = (time.perf_counter() - t0) * 1000
            error = self._wrap(exc, tool.name, step.line)
            trace.steps.append(StepTrace(step.line, tool.name, step.target, summarise_args(step.args, resolved),
                                         None, f"error: {error.message}", ms, error=error.to_dict(), text=step.text))
            raise error from (None if error is exc else exc)
        state[step.target] = output
        record = StepTrace(
            step.line, tool.name, step.target, summarise_args(step.args, resolved), jsonable(output),
            f"{step.target} = {describe(output)}", ms,
            render=functools.partial(step_picture, bound, output) if self.render_images else None,
            facts=_facts(output), text=step.text,
        )
        trace.steps.append(record)
        return record

    @staticmethod
    def _wrap(exc: Exception, module: str, line: int) -> VisreasonError:
        if isinstance(exc, VisreasonError):
            if exc.line is None:
                exc.line = line
            return exc
        return ToolExecutionError(
            f"{module} failed: {type(exc).__name__}: {str(exc)[:300]}", line=line,
            hint=f"Check the arguments of {module} on line {line}, or use a different module.",
        )


def _facts(output: Any) -> list[str] | None:
    facts = getattr(output, "facts", None)
    if facts is None and isinstance(output, Mapping):
        facts = output.get("facts")
    if isinstance(facts, (list, tuple)):
        return [str(f) for f in facts][:50]
    return None
