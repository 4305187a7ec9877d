"""GBNF grammar (llama.cpp dialect) of valid programs, derived from a tool registry.

Constrained decoding with it means the LLM can only write known modules, each with its own
argument names in signature order and values of the right kind, ending with RESULT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tools.registry import VAR_KINDS, Param, ToolRegistry

_COMMON = r'''
ident ::= [A-Za-z] [A-Za-z0-9_]*
sq-string ::= "'" ([^'\\\n] | "\\" ['\\])* "'"
dq-string ::= "\"" ([^"\\\n] | "\\" ["\\])* "\""
string ::= sq-string | dq-string
int ::= "-"? [0-9]+
number ::= "-"? [0-9]+ ("." [0-9]+)?
bool ::= "True" | "False"
str-list ::= "[" (string ("," " "? string)*)? "]"
any-value ::= ident | string | number | bool
'''

_KIND_RULE = {"str": "string", "int": "int", "float": "number", "bool": "bool", "str_list": "str-list",
              "any": "any-value"}


def program_grammar(registry: ToolRegistry, image_vars: Sequence[str] = ("IMAGE",), max_lines: int = 12) -> str:
    """Grammar of up to ``max_lines`` steps plus the final ``FINAL_RESULT=RESULT(var=IDENT)`` line.

    Image arguments accept ``image_vars`` or any identifier (CROP results are images too).
    """
    tools = [t for t in registry if t.name != "RESULT"]
    rules = [
        f"root ::= step{{0,{max(0, max_lines)}}} final",
        'step ::= ident "=" call "\\n"',
        'final ::= ("FINAL_RESULT" | "FINAL_ANSWER") "=RESULT(var=" ident ")" "\\n"?',
        "call ::= " + " | ".join(_rule_name(t.name) for t in tools),
        "image-var ::= " + " | ".join([*(_lit(v) for v in image_vars), "ident"]),
    ]
    for t in tools:
        rules.append(f'{_rule_name(t.name)} ::= {_lit(t.name + "(")} {_args(t.params, first=True) or ""} ")"')
    return "\n".join(rules) + "\n" + _COMMON.strip() + "\n"


def _args(params: Sequence[Param], first: bool) -> str:
    """Arguments in signature order; optional ones may be left out, commas only between arguments."""
    if not params:
        return ""
    p, rest = params[0], params[1:]
    item = f'{_lit(p.name + "=")} {_value(p)}'
    if first:
        tail = _args(rest, first=False)
        if p.required:
            return f"{item} {tail}".strip()
        without = _args(rest, first=True)
        present = f"{item} {tail}".strip()
        return f"({present} | {without})" if without else f"({present})?"
    tail = _args(rest, first=False)
    sep = '"," " "?'
    piece = f"{sep} {item}" if p.required else f"({sep} {item})?"
    return f"{piece} {tail}".strip()


def _value(p: Param) -> str:
    if p.kind == "image":
        return "image-var"
    if p.kind in VAR_KINDS:
        return "ident"
    if p.choices:
        return "(" + " | ".join(alt for c in p.choices for alt in (_lit(f"'{c}'"), _lit(f'"{c}"'))) + ")"
    return _KIND_RULE[p.kind]


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rule_name(module: str) -> str:
    return "call-" + re.sub(r"[^a-z0-9]+", "-", module.lower())


def rule_names(grammar: str) -> Iterable[str]:
    """Names defined by a grammar (for tests and debugging)."""
    return re.findall(r"^([a-z0-9-]+) ::=", grammar, flags=re.M)
