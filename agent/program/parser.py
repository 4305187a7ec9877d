"""Parser of the VisProg line language: ``OUT=MODULE(arg=value, ...)``, one step per line.

Each line is parsed with ``ast.parse`` and only a whitelisted node set is accepted, so a
program is data (names, literals, variable references), never code. Nothing is evaluated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from agent.errors import ArgumentError, BudgetExceeded, ProgramSyntaxError, UndefinedVariableError, VisreasonError

if TYPE_CHECKING:
    from tools.registry import ToolRegistry

RESULT_TARGETS = ("FINAL_RESULT", "FINAL_ANSWER")
FORMAT_HINT = ("Write one step per line as OUT=MODULE(arg=value, ...), e.g. BOX0=LOC(image=IMAGE,object='bus'), "
               "and end with FINAL_RESULT=RESULT(var=ANSWER0). Values are variable names, quoted strings, "
               "numbers, True/False or lists of strings.")

_SMALL = "Keep programs short: few arguments, short strings, small lists."


@dataclass(frozen=True)
class Var:
    """A reference to a program variable (IMAGE, BOX0, ...)."""

    name: str


Arg = Union[Var, str, int, float, bool, None, list]


@dataclass(frozen=True)
class Step:
    line: int  # 1-based line in the source
    target: str
    module: str  # as written; the registry resolves case and aliases
    args: dict[str, Arg]  # names as written
    text: str  # the source line, stripped


@dataclass(frozen=True)
class Program:
    steps: tuple[Step, ...]
    result_var: str  # variable holding the answer: the RESULT step's target, else the last target
    source: str

    def __str__(self) -> str:
        return "\n".join(s.text for s in self.steps)


@dataclass(frozen=True)
class ProgramLimits:
    max_chars: int = 20_000
    max_lines: int = 200
    max_line_chars: int = 4_000
    max_string_chars: int = 2_000
    max_list_len: int = 64
    max_nesting: int = 3  # list-in-list depth of one argument value
    max_args: int = 16


DEFAULT_LIMITS = ProgramLimits()

# A single-quoted value that runs up to the next ``, name=`` or the closing ``)`` of the line;
# used only to re-quote VisProg's sloppy apostrophes (``object='the man's shirt'``).
_SLOPPY_VALUE = re.compile(r"""(?<=[(,])(\s*[A-Za-z_]\w*\s*=\s*)'(.*?)'(?=\s*(?:,\s*[A-Za-z_]\w*\s*=|\)\s*$))""")


def parse_program(text: str, limits: ProgramLimits = DEFAULT_LIMITS) -> Program:
    """Parse a program; raise ProgramSyntaxError / BudgetExceeded naming the line."""
    if not isinstance(text, str):
        raise ProgramSyntaxError(f"a program must be text, got {type(text).__name__}", hint=FORMAT_HINT)
    if len(text) > limits.max_chars:
        raise BudgetExceeded(f"program has {len(text)} characters, the limit is {limits.max_chars}",
                             hint="Write a shorter program: a few steps usually suffice.")
    lines = text.splitlines()
    if len(lines) > limits.max_lines:
        raise BudgetExceeded(f"program has {len(lines)} lines, the limit is {limits.max_lines}",
                             line=limits.max_lines + 1, hint="Write a shorter program.")
    steps: list[Step] = []
    result_line: int | None = None
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if result_line is not None:
            raise ProgramSyntaxError("a step follows the RESULT line", line=number,
                                     hint="FINAL_RESULT=RESULT(var=...) must be the last line of the program.")
        step = parse_line(stripped, number, limits)
        if step.module.upper() == "RESULT":
            result_line = number
        steps.append(step)
    if not steps:
        raise ProgramSyntaxError("the program is empty", hint=FORMAT_HINT)
    return Program(tuple(steps), steps[-1].target, text)


def parse_line(text: str, number: int, limits: ProgramLimits = DEFAULT_LIMITS) -> Step:
    if len(text) > limits.max_line_chars:
        raise BudgetExceeded(f"line has {len(text)} characters, the limit is {limits.max_line_chars}", line=number,
                             hint="Shorten the line.")
    if "\x00" in text:
        raise ProgramSyntaxError("line contains a NUL character", line=number, hint=FORMAT_HINT)
    tree = _parse_ast(text)
    if tree is None:
        repaired = _SLOPPY_VALUE.sub(lambda m: m.group(1) + repr(m.group(2)), text)
        tree = _parse_ast(repaired) if repaired != text else None
    if tree is None:
        raise ProgramSyntaxError(f"cannot parse {_clip(text)!r}", line=number,
                                 hint=FORMAT_HINT + " Escape quotes inside strings as \\' or use double quotes.")
    return _step_from_tree(tree, text, number, limits)


def _parse_ast(text: str) -> ast.Module | None:
    try:
        return ast.parse(text, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _step_from_tree(tree: ast.Module, text: str, number: int, limits: ProgramLimits) -> Step:
    def fail(message: str, hint: str = FORMAT_HINT) -> ProgramSyntaxError:
        return ProgramSyntaxError(message, line=number, hint=hint)

    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assign):
        raise fail(f"expected OUT=MODULE(...), got {_clip(text)!r}")
    node = tree.body[0]
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        raise fail("the left side must be one variable name, e.g. BOX0=")
    target = node.targets[0].id
    _check_name(target, number, "variable")
    call = node.value
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise fail("the right side must be a module call such as LOC(image=IMAGE,object='dog')")
    module = call.func.id
    _check_name(module, number, "module")
    if call.args:
        raise fail(f"{module}: arguments must be named (arg=value), not positional")
    if len(call.keywords) > limits.max_args:
        raise BudgetExceeded(f"{module} has {len(call.keywords)} arguments, the limit is {limits.max_args}",
                             line=number, hint=_SMALL)
    args: dict[str, Arg] = {}
    seen: set[str] = set()
    for kw in call.keywords:
        if kw.arg is None:
            raise fail(f"{module}: **arguments are not allowed")
        _check_name(kw.arg, number, "argument")
        if kw.arg.lower() in seen:
            raise ArgumentError(f"{module}: argument {kw.arg!r} given twice", line=number,
                                hint="Give each argument once.")
        seen.add(kw.arg.lower())
        args[kw.arg] = _value(kw.value, number, limits, depth=0, what=f"{module} argument {kw.arg!r}")
    return Step(number, target, module, args, text)


def _value(node: ast.AST, number: int, limits: ProgramLimits, depth: int, what: str) -> Arg:
    if isinstance(node, ast.Name):
        if depth:
            raise ProgramSyntaxError(f"{what}: lists may contain only literals", line=number, hint=FORMAT_HINT)
        _check_name(node.id, number, "variable")
        return Var(node.id)
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str):
            if len(value) > limits.max_string_chars:
                raise BudgetExceeded(f"{what}: string of {len(value)} characters, the limit is "
                                     f"{limits.max_string_chars}", line=number, hint=_SMALL)
            return value
        if value is None or isinstance(value, (bool, int, float)):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
                raise ProgramSyntaxError(f"{what}: number too large", line=number, hint="Use numbers below 10**15.")
            return value
        raise ProgramSyntaxError(f"{what}: {type(value).__name__} literals are not allowed", line=number,
                                 hint=FORMAT_HINT)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, (ast.List, ast.Tuple)):
        if depth >= limits.max_nesting:
            raise BudgetExceeded(f"{what}: lists nested deeper than {limits.max_nesting}", line=number, hint=_SMALL)
        if len(node.elts) > limits.max_list_len:
            raise BudgetExceeded(f"{what}: list of {len(node.elts)} items, the limit is {limits.max_list_len}",
                                 line=number, hint=_SMALL)
        return [_value(e, number, limits, depth + 1, what) for e in node.elts]
    raise ProgramSyntaxError(
        f"{what}: {type(node).__name__} is not allowed as a value", line=number,
        hint="Argument values must be variable names, quoted strings, numbers, True/False or lists of strings. "
             "Computations belong in EVAL(expr=\"...\").",
    )


def _check_name(name: str, number: int, what: str) -> None:
    if name.startswith("_"):
        raise ProgramSyntaxError(f"{what} name {name!r} may not start with an underscore", line=number,
                                 hint="Use names like BOX0, IMAGE0, ANSWER0.")


def _clip(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[:n] + "..."


@dataclass
class _Scope:
    kinds: dict[str, str] = field(default_factory=dict)  # variable -> value kind (image, detections, str, ...)
    lines: dict[str, int] = field(default_factory=dict)


def check_program(program: Program, registry: ToolRegistry, inputs: Iterable[str] = ("IMAGE",)) -> None:
    """Static check against a ToolRegistry: modules, argument names/kinds, defined variables.

    ``inputs`` are the provided image variable names. Raises the first error found.
    """
    from tools.expr import referenced_variables, validate  # local: keeps parse-only imports light
    from tools.registry import VAR_KINDS as var_kinds

    scope = _Scope({name: "image" for name in inputs})
    for step in program.steps:
        tool = registry.get(step.module, line=step.line)
        given: set[str] = set()
        for name, value in step.args.items():
            param = tool.param(name, line=step.line)
            given.add(param.name)
            if isinstance(value, Var):
                _require_defined(value.name, scope, step)
                known = scope.kinds.get(value.name, "value")
                if param.kind in var_kinds and known in var_kinds | {"str", "int", "float", "bool", "list"} \
                        and known != param.kind:
                    raise ArgumentError(
                        f"{tool.name}: argument {param.name!r} needs a {param.kind} variable, but {value.name} "
                        f"holds a {known}", line=step.line, hint=f"Usage: {tool.prompt_doc()}",
                    )
            elif param.kind in var_kinds and value is not None:
                raise ArgumentError(
                    f"{tool.name}: argument {param.name!r} must be a {param.kind} variable name, not a literal",
                    line=step.line, hint=f"Usage: {tool.prompt_doc()}",
                )
            elif tool.name == "EVAL" and isinstance(value, str):
                for ref in referenced_variables(value):
                    _require_defined(ref, scope, step)
                try:
                    validate(value, scope.kinds)
                except VisreasonError as exc:
                    exc.line = step.line
                    raise
        missing = [p.name for p in tool.params if p.required and p.name not in given]
        if missing:
            raise ArgumentError(f"{tool.name} is missing required argument {missing[0]!r}", line=step.line,
                                hint=f"Usage: {tool.prompt_doc()}")
        scope.kinds[step.target] = tool.returns if tool.name != "RESULT" else "value"
        scope.lines[step.target] = step.line


def _require_defined(name: str, scope: _Scope, step: Step) -> None:
    if name not in scope.kinds:
        defined = ", ".join(scope.kinds) or "none"
        raise UndefinedVariableError(
            f"variable {name!r} is used before it is defined", line=step.line,
            hint=f"Defined at this point: {defined}. Assign it on an earlier line (e.g. {name}=LOC(...)).",
        )
