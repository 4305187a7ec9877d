"""EVAL and RESULT: the two modules that compute on answers rather than pixels.

EVAL needs the program's variables to resolve ``{ANSWER0}``. The interpreter hands them over
through a context variable (``program_variables``) for the duration of a step, so EVAL's
schema stays one string argument and nothing is shared between threads or runs.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

from tools.expr import evaluate
from tools.registry import tool

_VARIABLES: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar("program_variables")


@contextlib.contextmanager
def program_variables(variables: Mapping[str, Any]) -> Iterator[None]:
    """Make ``variables`` visible to EVAL inside this block (this thread/task only)."""
    token = _VARIABLES.set(variables)
    try:
        yield
    finally:
        _VARIABLES.reset(token)


@tool("EVAL")
def eval_expr(ctx, expr: str) -> Any:
    """Compute a value from earlier answers: arithmetic, comparisons, and/or/not/xor, X if C else Y.

    Args:
        expr: expression with variables in braces, e.g. "'yes' if {ANSWER0} > 0 else 'no'" or "{ANSWER0} xor {ANSWER1}".
    """
    return evaluate(expr, _VARIABLES.get(None) or {})


@tool("RESULT")
def result(ctx, var: Any) -> Any:
    """Return the final answer of the program.

    Args:
        var: the variable holding the answer.
    """
    return var


LOGIC_TOOLS = (eval_expr, result)
