"""Tool registry: one typed function with a docstring is one tool.

From each function's signature and docstring the registry derives
  * the OpenAI-style JSON schema (tool calling),
  * the module documentation used in prompts,
  * the GBNF grammar used for constrained program decoding,
  * argument validation for ``call``.

A tool function's first parameter is ``ctx: ToolContext`` (models, cache, LLM); it is
not part of the schema. Every other parameter is a DSL argument.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from PIL import Image

from agent.errors import ArgumentError, UnknownModuleError
from tools.types import Detections, Regions

if TYPE_CHECKING:
    from tools.context import ToolContext

# Value kinds: how an argument is written in a program and checked at run time.
VAR_KINDS = {"image", "detections", "regions"}  # must be a variable reference
_KIND_OF_TYPE = {
    Image.Image: "image", Detections: "detections", Regions: "regions",
    str: "str", int: "int", float: "float", bool: "bool",
}
_JSON_TYPE = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # image | detections | regions | str | int | float | bool | str_list | any
    required: bool
    default: Any
    description: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tool:
    name: str  # DSL module name, upper case
    func: Callable[..., Any]
    params: tuple[Param, ...]
    returns: str
    summary: str
    aliases: tuple[str, ...] = ()

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]

    def json_schema(self) -> dict:
        props: dict[str, Any] = {}
        for p in self.params:
            if p.kind in VAR_KINDS:
                spec: dict[str, Any] = {"type": "string", "description": f"name of a {p.kind} variable. {p.description}".strip()}
            elif p.kind == "str_list":
                spec = {"type": "array", "items": {"type": "string"}, "description": p.description}
            elif p.kind == "any":
                spec = {"description": p.description}
            else:
                spec = {"type": _JSON_TYPE[p.kind], "description": p.description}
            if p.choices:
                spec["enum"] = list(p.choices)
            props[p.name] = spec
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.summary,
                "parameters": {
                    "type": "object",
                    "properties": props,
                    "required": [p.name for p in self.params if p.required],
                    "additionalProperties": False,
                },
            },
        }

    def prompt_doc(self) -> str:
        args = ", ".join(f"{p.name}={_placeholder(p)}" for p in self.params)
        return f"{self.name}({args}) -> {self.returns}: {self.summary}"

    def param(self, name: str, *, line: int | None = None) -> Param:
        """The parameter ``name`` stands for (case-insensitive), or the ArgumentError a program gets for it.
        The one lookup of the static check (agent.program.parser.check_program) and of ``bind``."""
        for p in self.params:
            if p.name.lower() == name.lower():
                return p
        raise ArgumentError(
            f"{self.name} has no argument {name!r}", line=line,
            hint=f"{self.name} takes: {', '.join(self.param_names) or 'no arguments'}. Usage: {self.prompt_doc()}",
        )

    def bind(self, args: dict[str, Any], *, line: int | None = None) -> dict[str, Any]:
        """Match argument names case-insensitively, fill defaults, check value kinds (at run time, on values;
        ``check_program`` checks the same names before running, on variable kinds)."""
        bound: dict[str, Any] = {}
        for raw_name, value in args.items():
            param = self.param(raw_name, line=line)
            if param.name in bound:
                raise ArgumentError(f"{self.name}: argument {param.name!r} given twice", line=line)
            bound[param.name] = _check_value(self, param, value, line)
        for p in self.params:
            if p.name not in bound:
                if p.required:
                    raise ArgumentError(
                        f"{self.name} is missing required argument {p.name!r}", line=line,
                        hint=f"Usage: {self.prompt_doc()}",
                    )
                bound[p.name] = p.default
        return bound


def _placeholder(p: Param) -> str:
    if p.choices:
        return "|".join(repr(c) for c in p.choices)
    return {
        "image": "IMAGE", "detections": "BOX0", "regions": "REGIONS0", "str": "'...'",
        "int": "0", "float": "0.5", "bool": "True", "str_list": "['a','b']", "any": "X",
    }[p.kind] + ("" if p.required else "?")


def _check_value(tool: Tool, p: Param, value: Any, line: int | None) -> Any:
    def bad(expected: str) -> ArgumentError:
        got = type(value).__name__
        return ArgumentError(
            f"{tool.name}: argument {p.name!r} must be {expected}, got {got}", line=line,
            hint=f"Usage: {tool.prompt_doc()}",
        )

    if value is None and not p.required:
        return value
    if p.kind == "image":
        if isinstance(value, Image.Image):
            return value
        raise bad("an image variable (IMAGE, LEFT, RIGHT or a CROP result)")
    if p.kind == "detections":
        if isinstance(value, Detections):
            return value
        raise bad("a box variable returned by LOC, FACEDET or SELECT")
    if p.kind == "regions":
        if isinstance(value, Regions):
            return value
        raise bad("a REGIONS result")
    if p.kind == "str":
        if not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            else:
                raise bad("a quoted string")
        if p.choices and value.upper() not in {c.upper() for c in p.choices}:
            raise ArgumentError(
                f"{tool.name}: argument {p.name!r} must be one of {', '.join(p.choices)}, got {value!r}", line=line
            )
        return value
    if p.kind == "bool":
        if isinstance(value, bool):
            return value
        raise bad("True or False")
    if p.kind in {"int", "float"}:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number")
        return int(value) if p.kind == "int" else float(value)
    if p.kind == "str_list":
        if isinstance(value, str):
            return [value]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return list(value)
        raise bad("a list of quoted strings")
    return value


def _kind(annotation: Any) -> tuple[str, bool, tuple[str, ...]]:
    """(kind, optional, choices) of a parameter annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        if len(members) == 1:
            kind, _, choices = _kind(members[0])
            return kind, optional, choices
        return "any", optional, ()
    if origin is Literal:
        return "str", False, tuple(str(a) for a in typing.get_args(annotation))
    if origin in (list, tuple) and typing.get_args(annotation)[:1] == (str,):
        return "str_list", False, ()
    if annotation is Any or annotation is inspect.Parameter.empty:
        return "any", False, ()
    if annotation in _KIND_OF_TYPE:
        return _KIND_OF_TYPE[annotation], False, ()
    raise TypeError(f"unsupported tool parameter type {annotation!r}")


def _returns(annotation: Any) -> str:
    kind, _, _ = _kind(annotation) if annotation is not inspect.Parameter.empty else ("any", False, ())
    return {"str_list": "list", "any": "value"}.get(kind, kind)


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Google-style docstring: first paragraph is the summary, ``Args:`` gives descriptions."""
    doc = inspect.cleandoc(doc or "")
    summary = doc.split("\n\n")[0].replace("\n", " ").strip()
    descriptions: dict[str, str] = {}
    match = re.search(r"^Args:\s*$(.*?)(^\S|\Z)", doc, flags=re.M | re.S)
    if match:
        current = None
        for line in match.group(1).splitlines():
            m = re.match(r"\s{2,}(\w+)(?:\s*\([^)]*\))?:\s*(.*)", line)
            if m and not line.startswith(" " * 8):
                current = m.group(1)
                descriptions[current] = m.group(2).strip()
            elif current and line.strip():
                descriptions[current] += " " + line.strip()
    return summary, descriptions


def tool(name: str | None = None, *, aliases: Iterable[str] = ()) -> Callable[[Callable], Callable]:
    """Mark a function as a tool. Nothing is registered globally: registries list their tools."""

    def decorate(func: Callable) -> Callable:
        func.__tool__ = make_tool(func, name=name, aliases=tuple(aliases))  # type: ignore[attr-defined]
        return func

    return decorate


def make_tool(func: Callable, *, name: str | None = None, aliases: tuple[str, ...] = ()) -> Tool:
    if not func.__doc__:
        raise TypeError(f"tool {func.__name__} needs a docstring")
    hints = typing.get_type_hints(func)
    sig = inspect.signature(func)
    summary, descriptions = _parse_docstring(func.__doc__)
    params = []
    for i, (pname, p) in enumerate(sig.parameters.items()):
        if i == 0 and pname == "ctx":
            continue
        kind, optional, choices = _kind(hints.get(pname, Any))
        required = p.default is inspect.Parameter.empty
        params.append(Param(pname, kind, required, None if required else p.default,
                            descriptions.get(pname, ""), choices))
    return Tool((name or func.__name__).upper(), func, tuple(params), _returns(hints.get("return", Any)),
                summary, tuple(a.upper() for a in aliases))


class ToolRegistry:
    """An immutable set of tools, looked up by DSL name or alias (case-insensitive)."""

    def __init__(self, funcs: Iterable[Callable]) -> None:
        tools = [getattr(f, "__tool__", None) or make_tool(f) for f in funcs]
        self._tools: dict[str, Tool] = {t.name: t for t in tools}
        self._lookup: dict[str, Tool] = {}
        for t in tools:
            for key in (t.name, *t.aliases):
                if key in self._lookup:
                    raise ValueError(f"duplicate tool name {key}")
                self._lookup[key] = t

    def __iter__(self):
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def __contains__(self, name: str) -> bool:
        return name.upper() in self._lookup

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    @property
    def all_names(self) -> list[str]:
        """Names and aliases: everything a program may call."""
        return list(self._lookup)

    def get(self, name: str, *, line: int | None = None) -> Tool:
        found = self._lookup.get(name.upper())
        if found is None:
            raise UnknownModuleError(
                f"unknown module {name!r}", line=line,
                hint="Allowed modules: " + ", ".join(self.all_names),
            )
        return found

    def subset(self, names: Iterable[str]) -> ToolRegistry:
        return ToolRegistry(self.get(n).func for n in names)

    def schemas(self) -> list[dict]:
        return [t.json_schema() for t in self]

    def prompt_docs(self) -> str:
        return "\n".join(t.prompt_doc() for t in self)

    def call(self, name: str, ctx: ToolContext | None = None, /, **args: Any) -> Any:
        """Validate arguments against the tool's signature and call it."""
        t = self.get(name)
        return t.func(ctx, **t.bind(args))
