"""EVAL's expressions: a whitelisted-AST evaluator (part of the EVAL tool; the parser validates with it too).

VisProg writes ``EVAL(expr="'yes' if {ANSWER0} > 0 else 'no'")`` and formats variable values into
the text. Here ``{VAR}`` is replaced by a placeholder *name* bound to the value (values never
become code), ``xor`` is rewritten at token level, and the tree is walked by a tiny interpreter
that knows literals, arithmetic, comparisons, and/or/not, ``in`` and ``x if c else y``.
Answers such as 'yes'/'no' behave as booleans, numeric strings as numbers.
"""

from __future__ import annotations

import ast
import io
import operator
import re
import tokenize
from collections.abc import Iterable, Mapping
from typing import Any

from agent.errors import ArgumentError, BudgetExceeded, ProgramSyntaxError, UndefinedVariableError

MAX_EXPR_CHARS = 2_000
MAX_STRING_CHARS = 10_000
MAX_NODES = 300
MAX_DEPTH = 40
MAX_INT_BITS = 4_096
MAX_EXPONENT = 1_000
_PLACEHOLDER = "_v{}"  # user names may not start with "_", so placeholders cannot be forged
_REF = re.compile(r"\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}")
_TRUE = {"yes", "true", "1"}
_FALSE = {"no", "false", "0", "", "none"}
_HINT = ("EVAL supports {VAR} references, numbers, quoted strings, True/False, + - * / // % **, comparisons, "
         "and/or/not/xor, 'in', and X if COND else Y.")
_SCALARS = (str, int, float, bool, type(None))


def referenced_variables(expr: str) -> list[str]:
    """Names written as {NAME} in an expression (for static checks)."""
    return list(dict.fromkeys(_REF.findall(expr)))


def evaluate(expr: str, variables: Mapping[str, Any]) -> Any:
    tree, bound = _compile(expr, variables)
    return _Evaluator(bound, variables).value_of(tree.body, 0)


def validate(expr: str, names: Iterable[str]) -> None:
    """Static check (before any tool runs): syntax, allowed constructs, defined {NAMES}."""
    variables = dict.fromkeys(names, "")
    tree, bound = _compile(expr, variables)
    stack = [(tree.body, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BudgetExceeded(f"EVAL expression nested deeper than {MAX_DEPTH}", hint=_HINT)
        if not isinstance(node, _ALLOWED_NODES) or (isinstance(node, ast.Constant)
                                                     and not isinstance(node.value, _SCALARS)):
            raise ProgramSyntaxError(f"EVAL: {type(node).__name__} is not allowed in {_clip(expr)!r}", hint=_HINT)
        if isinstance(node, ast.Name):
            _Evaluator(bound, variables).name(node.id)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _compile(expr: str, variables: Mapping[str, Any]) -> tuple[ast.Expression, dict[str, Any]]:
    if not isinstance(expr, str):
        raise ArgumentError(f"EVAL expects an expression string, got {type(expr).__name__}", hint=_HINT)
    if len(expr) > MAX_EXPR_CHARS:
        raise BudgetExceeded(f"EVAL expression has {len(expr)} characters, the limit is {MAX_EXPR_CHARS}")
    source, bound = _substitute(expr, variables)
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ProgramSyntaxError(f"EVAL cannot parse {_clip(expr)!r}: {getattr(exc, 'msg', exc)}", hint=_HINT) from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise BudgetExceeded(f"EVAL expression is too complex ({count} nodes, limit {MAX_NODES})")
    return tree, bound


def _substitute(expr: str, variables: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Token-level rewrite: {VAR} and '{VAR}' -> placeholder names; xor -> ^ with grouping."""
    bound: dict[str, Any] = {}

    def bind(value: Any, origin: str = "") -> str:
        name = _PLACEHOLDER.format(len(bound)) + (f"_{origin}" if origin else "")
        bound[name] = value
        return name

    def lookup(name: str) -> Any:
        if name not in variables:
            raise UndefinedVariableError(f"EVAL uses undefined variable {{{name}}}",
                                         hint="Defined: " + (", ".join(variables) or "none"))
        return variables[name]

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(expr).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise ProgramSyntaxError(f"EVAL cannot tokenize {_clip(expr)!r}: {exc}", hint=_HINT) from None
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == tokenize.OP and tok.string == "{":
            if i + 2 < len(tokens) and tokens[i + 1].type == tokenize.NAME and tokens[i + 2].string == "}":
                out.append(bind(lookup(tokens[i + 1].string), tokens[i + 1].string))
                i += 3
                continue
            raise ProgramSyntaxError(f"EVAL: '{{' must enclose a variable name in {_clip(expr)!r}", hint=_HINT)
        if tok.type == tokenize.STRING:
            out.append(_string_token(tok.string, expr, bind, lookup))
        elif tok.type == tokenize.NAME and tok.string == "xor":
            out.append("\x00xor")
        elif tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT,
                          tokenize.COMMENT):
            pass
        elif tok.type == tokenize.ERRORTOKEN and not tok.string.strip():
            pass
        else:
            out.append(tok.string)
        i += 1
    return " ".join(_group_xor(out)), bound


def _string_token(text: str, expr: str, bind, lookup) -> str:
    prefix = text[: len(text) - len(text.lstrip("rRuUbBfF"))]
    if set(prefix.lower()) - {"r", "u"}:
        raise ProgramSyntaxError(f"EVAL: {prefix}-strings are not allowed in {_clip(expr)!r}", hint=_HINT)
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError):
        raise ProgramSyntaxError(f"EVAL: bad string literal {text[:60]!r}", hint=_HINT) from None
    value = node.value if isinstance(node, ast.Constant) else None
    if not isinstance(value, str):
        raise ProgramSyntaxError(f"EVAL: bad string literal {text[:60]!r}", hint=_HINT)
    if len(value) > MAX_STRING_CHARS:
        raise BudgetExceeded(f"EVAL: string literal longer than {MAX_STRING_CHARS} characters")
    parts = _REF.split(value)  # [text, name, text, name, ..., text]
    if len(parts) == 1:
        return repr(value)
    pieces = []
    for k, part in enumerate(parts):
        if k % 2:
            pieces.append(bind(_as_text(lookup(part))))
        elif part:
            pieces.append(repr(part))
    return "(" + " + ".join(pieces) + ")"


def _clip(text: str, n: int = 100) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, _SCALARS) else _describe(value)


def _group_xor(tokens: list[str]) -> list[str]:
    """Make ``a xor b`` mean ``(a) ^ (b)`` with xor binding loosest within its bracket/if/else segment."""
    result: list[str] = []
    stack: list[list[str]] = [[]]
    for tok in tokens:
        if tok in ("(", "[", "{"):
            stack[-1].append(tok)
            stack.append([])
        elif tok in (")", "]", "}") and len(stack) > 1:
            inner = _join_segment(stack.pop())
            stack[-1].extend(inner)
            stack[-1].append(tok)
        else:
            stack[-1].append(tok)
    while len(stack) > 1:  # unbalanced: let ast.parse report it
        inner = _join_segment(stack.pop())
        stack[-1].extend(inner)
    result = _join_segment(stack[0])
    return result


def _join_segment(tokens: list[str]) -> list[str]:
    out: list[str] = []
    chunk: list[str] = []
    for tok in tokens + [None]:  # type: ignore[list-item]
        if tok is None or tok in ("if", "else", ",", ":"):
            out.extend(_xor_chunk(chunk))
            chunk = []
            if tok is not None:
                out.append(tok)
        else:
            chunk.append(tok)
    return out


def _xor_chunk(chunk: list[str]) -> list[str]:
    if "\x00xor" not in chunk:
        return chunk
    operands: list[list[str]] = [[]]
    for tok in chunk:
        if tok == "\x00xor":
            operands.append([])
        else:
            operands[-1].append(tok)
    out: list[str] = []
    for k, operand in enumerate(operands):
        if k:
            out.append("^")
        out.extend(["(", *operand, ")"])
    return out


def truthy(value: Any) -> bool:
    """VisProg answers are strings: 'yes'/'true' are True, 'no'/'false'/'' are False."""
    if isinstance(value, str):
        s = value.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        return True
    if isinstance(value, (bool, int, float, type(None), list, tuple)):
        return bool(value)
    try:
        return len(value) > 0  # Detections, Regions: "any found"
    except TypeError:
        raise ArgumentError(f"EVAL cannot use {_describe(value)} as a condition", hint=_HINT) from None


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"yes", "no", "true", "false"}:
        return value.strip().lower() in {"yes", "true"}
    return None


def _number(value: Any) -> Any:
    """Numeric strings ('3', '2.5') act as numbers, as when VisProg formats them into code."""
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"[+-]?\d{1,15}", s):
            return int(s)
        if re.fullmatch(r"[+-]?(\d{1,15}\.\d*|\.\d+)(e[+-]?\d{1,3})?", s, flags=re.I):
            return float(s)
    return value


def _describe(value: Any) -> str:
    """A value in the program's terms: text, a number, boxes, an image (no internal class names)."""
    if isinstance(value, str):
        return f"the text {_clip(str(value), 40)!r}"
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)
    summary = getattr(value, "summary", None)
    if callable(summary):
        return f"boxes ({summary()})" if hasattr(value, "boxes") else f"a {type(value).__name__} ({summary()})"
    if hasattr(value, "size") and hasattr(value, "mode"):
        return "an image"
    return f"a {type(value).__name__}"


def _origin(node: ast.AST) -> str | None:
    """The program variable an operand node stands for ({ANSWER0} or a bare ANSWER0), if any."""
    if isinstance(node, ast.Name):
        m = re.fullmatch(r"_v\d+_(\w+)", node.id)
        if m:
            return m.group(1)
        if not node.id.startswith("_") and node.id.lower() not in {"yes", "no", "true", "false"}:
            return node.id
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _require_numbers(a: Any, b: Any, names: tuple[str | None, str | None]) -> None:
    """Text that is not a number met a number (VQA said 'unknown' where a count was expected): say which."""
    for value, other, name in ((a, b, names[0]), (b, a, names[1])):
        if isinstance(value, str) and _is_number(other):
            what = f"{name} is {_clip(str(value), 40)!r}" if name else f"{_clip(str(value), 40)!r} is"
            raise ArgumentError(
                f"EVAL: {what}, not a number" if name else f"EVAL: {what} not a number",
                hint="An earlier step answered with text where the expression needs a number (VQA answers "
                     "'unknown' when its evidence cannot tell); check that step, or ask for a count with COUNT.")


_ALLOWED_NODES = (
    ast.Constant, ast.Name, ast.Load, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.BitXor,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.IfExp, ast.List, ast.Tuple,
)
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_ORDER = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}


class _Evaluator:
    def __init__(self, bound: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
        self.bound = bound
        self.variables = variables

    def value_of(self, node: ast.AST, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise BudgetExceeded(f"EVAL expression nested deeper than {MAX_DEPTH}")
        d = depth + 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, _SCALARS):
                return node.value
            raise ProgramSyntaxError(f"EVAL: {type(node.value).__name__} literals are not allowed", hint=_HINT)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                return all(truthy(self.value_of(v, d)) for v in node.values)
            return any(truthy(self.value_of(v, d)) for v in node.values)
        if isinstance(node, ast.UnaryOp):
            value = self.value_of(node.operand, d)
            if isinstance(node.op, ast.Not):
                return not truthy(value)
            value = _number(value)
            if isinstance(node.op, (ast.USub, ast.UAdd)) and isinstance(value, (int, float)):
                return -value if isinstance(node.op, ast.USub) else +value
            raise ArgumentError(f"EVAL: cannot apply unary minus to {_describe(value)}", hint=_HINT)
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.value_of(node.left, d), self.value_of(node.right, d),
                              (_origin(node.left), _origin(node.right)))
        if isinstance(node, ast.Compare):
            left, left_node = self.value_of(node.left, d), node.left
            for op, comparator in zip(node.ops, node.comparators, strict=False):
                right = self.value_of(comparator, d)
                if not self.compare(op, left, right, (_origin(left_node), _origin(comparator))):
                    return False
                left, left_node = right, comparator
            return True
        if isinstance(node, ast.IfExp):
            return self.value_of(node.body, d) if truthy(self.value_of(node.test, d)) else self.value_of(node.orelse, d)
        if isinstance(node, (ast.List, ast.Tuple)):
            if len(node.elts) > 100:
                raise BudgetExceeded("EVAL: list literal longer than 100 items")
            return [self.value_of(e, d) for e in node.elts]
        raise ProgramSyntaxError(f"EVAL: {type(node).__name__} is not allowed", hint=_HINT)

    def name(self, name: str) -> Any:
        if name in self.bound:
            return self.bound[name]
        if not name.startswith("_") and name in self.variables:  # bare ANSWER0 instead of {ANSWER0}
            return self.variables[name]
        if name.lower() in {"yes", "no", "true", "false"}:  # VisProg formatted answers unquoted
            return name.lower() in {"yes", "true"}
        raise UndefinedVariableError(f"EVAL: unknown name {name!r}",
                                     hint="Refer to program variables as {NAME}; quote text as 'text'.")

    def binop(self, op: ast.operator, a: Any, b: Any, names: tuple[str | None, str | None] = (None, None)) -> Any:
        if isinstance(op, ast.BitXor):  # VisProg's xor
            return truthy(a) != truthy(b)
        func = _ARITH.get(type(op))
        if func is None:
            raise ProgramSyntaxError(f"EVAL: operator {type(op).__name__} is not allowed", hint=_HINT)
        na, nb = _number(a), _number(b)
        if all(isinstance(v, (int, float)) for v in (na, nb)):
            a, b = na, nb
        elif not isinstance(op, (ast.Add, ast.Mult, ast.Mod)) or (isinstance(op, ast.Add) and all(names)):
            _require_numbers(na, nb, names)  # '+' of two answers is a sum; with a literal, joined text
        elif isinstance(op, ast.Add) and (isinstance(a, str) or isinstance(b, str)):
            a, b = _as_text(a), _as_text(b)  # 'a ' + {X}: text concatenation
        for v in (a, b):
            if not isinstance(v, (str, int, float, bool)):
                raise ArgumentError(f"EVAL: cannot compute with {_describe(v)}",
                                    hint="Use COUNT for the number of boxes; EVAL works on numbers and answers.")
        self.check_size(op, a, b)
        try:
            result = func(a, b)
        except ZeroDivisionError:
            raise ArgumentError("EVAL: division by zero", hint=_HINT) from None
        except (TypeError, ValueError, OverflowError, MemoryError) as exc:
            raise ArgumentError(f"EVAL: {type(op).__name__} of {type(a).__name__} and {type(b).__name__}: {exc}",
                                hint=_HINT) from None
        if isinstance(result, complex):
            raise ArgumentError("EVAL: result is a complex number", hint=_HINT)
        if (isinstance(result, str) and len(result) > MAX_STRING_CHARS) or \
                (isinstance(result, int) and result.bit_length() > MAX_INT_BITS + 64):
            raise BudgetExceeded("EVAL: the result is too large", hint=_HINT)  # backstop; check_size refuses first
        return result

    @staticmethod
    def check_size(op: ast.operator, a: Any, b: Any) -> None:
        """Refuse before computing anything whose result would be huge (9**9**9, 'a'*10**9, '%9999999d' % 1).

        Every operator that can grow its result is bounded here, from the operands alone: ``**`` by the
        exponent and the bits of the result, ``*`` by the length of repeated text or the bits of the product,
        ``+`` by the length of joined text. ``%`` on text would be printf formatting, whose widths
        ('%1000000000d') allocate without bound, so it is refused outright.
        """
        def too_big() -> BudgetExceeded:
            return BudgetExceeded("EVAL: the result would be too large", hint=_HINT)

        if isinstance(op, ast.Mod) and isinstance(a, str):
            raise ArgumentError("EVAL: '%' formatting of text is not supported",
                                hint="Join text with +, e.g. 'count: ' + {ANSWER0}. " + _HINT)
        if isinstance(op, ast.Pow) and isinstance(b, (int, float)):
            if abs(b) > MAX_EXPONENT:
                raise too_big()
            if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a).bit_length() * b > MAX_INT_BITS:
                raise too_big()
        if isinstance(op, ast.Mult):
            if isinstance(a, str) or isinstance(b, str):
                text, n = (a, b) if isinstance(a, str) else (b, a)
                if isinstance(n, int) and len(text) * max(n, 0) > MAX_STRING_CHARS:
                    raise too_big()
            elif isinstance(a, int) and isinstance(b, int) and abs(a).bit_length() + abs(b).bit_length() > MAX_INT_BITS:
                raise too_big()
        if isinstance(op, ast.Add) and isinstance(a, str) and isinstance(b, str) \
                and len(a) + len(b) > MAX_STRING_CHARS:
            raise too_big()

    def compare(self, op: ast.cmpop, a: Any, b: Any, names: tuple[str | None, str | None] = (None, None)) -> bool:
        if isinstance(op, (ast.In, ast.NotIn)):
            if isinstance(b, str):
                # OCR breaks lines anywhere: compare with whitespace runs collapsed, case-insensitively.
                found = " ".join(str(a).lower().split()) in " ".join(b.lower().split())
            elif isinstance(b, list):
                found = any(self.compare(ast.Eq(), a, item) for item in b)
            else:
                raise ArgumentError(f"EVAL: 'in' needs text or a list on the right, got {_describe(b)}", hint=_HINT)
            return found if isinstance(op, ast.In) else not found
        if isinstance(op, (ast.Eq, ast.NotEq)):
            equal = self.equal(a, b)
            return equal if isinstance(op, ast.Eq) else not equal
        func = _ORDER.get(type(op))
        if func is None:
            raise ProgramSyntaxError(f"EVAL: comparison {type(op).__name__} is not allowed", hint=_HINT)
        a, b = _number(a), _number(b)
        _require_numbers(a, b, names)
        try:
            return bool(func(a, b)) if isinstance(a, _SCALARS) and isinstance(b, _SCALARS) else self.bad(a, b)
        except TypeError:
            raise ArgumentError(f"EVAL: cannot order {_describe(a)} and {_describe(b)}", hint=_HINT) from None

    @staticmethod
    def bad(a: Any, b: Any) -> bool:
        raise ArgumentError(f"EVAL: cannot compare {_describe(a)} and {_describe(b)}", hint=_HINT)

    @staticmethod
    def equal(a: Any, b: Any) -> bool:
        ya, yb = _yes_no(a), _yes_no(b)
        if ya is not None and yb is not None:
            return ya == yb
        a, b = _number(a), _number(b)
        if isinstance(a, str) and isinstance(b, str):
            return a.strip().lower() == b.strip().lower()  # VQA answers vary in case
        if isinstance(a, _SCALARS) and isinstance(b, _SCALARS):
            return a == b
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(_Evaluator.equal(x, y) for x, y in zip(a, b, strict=False))
        return a is b
