"""The tools and the Reasoner over the Model Context Protocol (``visreason mcp``, stdio transport).

Every tool a program may call is one MCP tool, and the whole Reasoner is one more
(``visual_reasoning``). Their names, descriptions and input schemas are exactly the registry's
``Tool.json_schema()`` and ``Reasoner.as_tool()`` schemas: nothing is re-derived here.

A registry tool's image/box/region arguments are written as variable names (that is what the
schema says). Over MCP there is no program, so a :class:`ToolSession` keeps the variables of one
connection: every result is stored under a VisProg-style name (``BOX0``, ``IMAGE1``, ``ANSWER2``...)
that the reply states and later calls pass back (``COUNT(box="BOX0")``). An image argument that is
not a stored variable is read as an image file path (confined to ``--image-root`` when given).
Replies are one JSON text block (``variable``, ``summary``, ``value``), plus a PNG when the result
is an image; a ``VisreasonError`` comes back as an error result carrying its type, message and hint.
"""

from __future__ import annotations

import base64
import io
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from agent.config import Config
from agent.errors import ArgumentError, InputError, UndefinedVariableError, VisreasonError

if TYPE_CHECKING:
    from agent.reasoner import Reasoner
    from tools.context import ToolContext
    from tools.registry import ToolRegistry

SERVER_NAME = "visreason"
MAX_VARIABLES = 64  # per connection; the oldest are forgotten first
_PREFIX = {"image": "IMAGE", "detections": "BOX", "regions": "REGIONS"}  # result kind -> variable prefix


class ToolSession:
    """One connection's tools and variables. Thread-safe: calls may run in worker threads at once."""

    def __init__(self, config: Config, *, registry: ToolRegistry | None = None, reasoner: Reasoner | None = None,
                 image_root: str | Path | None = None) -> None:
        from agent.batch.items import image_root_path

        self.config = config
        self.registry = registry if registry is not None else _program_registry()
        self._reasoner = reasoner
        self.image_root = image_root_path(image_root)
        self._ctx = None
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._counter = 0
        self._lock = threading.Lock()

    # -- what the client sees ---------------------------------------------------------------
    @property
    def reasoner(self) -> Reasoner:
        with self._lock:
            if self._reasoner is None:
                from agent.reasoner import Reasoner

                self._reasoner = Reasoner(self.config)
            return self._reasoner

    def schemas(self) -> list[dict]:
        """OpenAI-style schemas, as the registry and ``Reasoner.as_tool()`` give them."""
        return [*self.registry.schemas(), self.reasoner.as_tool()["schema"]]

    def call(self, name: str, arguments: dict[str, Any] | None) -> dict:
        """Run one tool: ``{"variable", "summary", "value"}`` (plus ``"image"`` when it is a picture).

        Raises ``VisreasonError`` for anything the caller got wrong or a tool reported.
        """
        arguments = dict(arguments or {})
        if name == self.reasoner.as_tool()["schema"]["function"]["name"]:
            return self._ask(arguments)
        from tools.logic import program_variables

        tool = self.registry.get(name)  # UnknownModuleError names the allowed tools
        resolved = {key: self._resolve(tool, key, value) for key, value in arguments.items()}
        with self._lock:
            variables = dict(self._values)
        with program_variables(variables):  # EVAL's {ANSWER0} reads the session's variables
            output = tool.func(self._tool_context(), **tool.bind(resolved))
        return self._store(tool.returns, output)

    # -- internals ---------------------------------------------------------------------------
    def _ask(self, arguments: dict[str, Any]) -> dict:
        images = arguments.get("images")
        if not isinstance(arguments.get("question"), str) or not isinstance(images, list):
            raise ArgumentError("visual_reasoning needs 'question' (a string) and 'images' (a list of paths)")
        for path in images:
            self._image_path(path, "images")
        result = self.reasoner.as_tool()["function"](arguments["question"], images, arguments.get("kb"))
        if "error" in result:
            err = result["error"]
            raise _RemoteError(err.get("type", "VisreasonError"), err.get("message", ""), err.get("hint", ""))
        return {"variable": None, "summary": str(result.get("answer")), "value": result}

    def _tool_context(self) -> ToolContext:
        cache = self.reasoner.cache  # shared: a box found by LOC here is not recomputed by a question
        with self._lock:
            if self._ctx is None:
                from agent.cli_run import LazyLLM
                from tools.context import ToolContext

                self._ctx = ToolContext(config=self.config, llm=LazyLLM(self.config), cache=cache)
            return self._ctx

    def _resolve(self, tool: Any, key: str, value: Any) -> Any:
        param = next((p for p in tool.params if p.name.lower() == key.lower()), None)
        if param is None or param.kind not in {*_PREFIX, "any"} or not isinstance(value, str):
            return value  # Tool.bind reports unknown names and wrong kinds
        with self._lock:
            if value in self._values:
                return self._values[value]
            known = ", ".join(self._values) or "none yet"
        if param.kind == "any":
            return value  # RESULT(var='text'): a literal when no variable has that name
        if param.kind != "image":
            raise UndefinedVariableError(
                f"{tool.name}: argument {key!r}: no variable named {value!r} in this session",
                hint=f"pass the variable a previous call returned (known: {known})")
        from agent.images import load_image

        path = self._image_path(value, key)
        return load_image(path, self.config.images, name=str(path))

    def _image_path(self, value: Any, key: str) -> Path:
        if not isinstance(value, str) or not value:
            raise ArgumentError(f"argument {key!r}: expected an image file path, got {value!r}")
        path = Path(value).expanduser()
        if self.image_root is not None:
            real = Path(os.path.realpath(path if path.is_absolute() else self.image_root / path))
            if not real.is_relative_to(self.image_root):
                raise InputError(f"argument {key!r}: {value} is outside the image root {self.image_root}")
            return real
        return path

    def _store(self, kind: str, output: Any) -> dict:
        from agent.trace import describe, jsonable

        with self._lock:
            name = f"{_PREFIX.get(kind, 'ANSWER')}{self._counter}"
            self._counter += 1
            self._values[name] = output
            while len(self._values) > MAX_VARIABLES:
                self._values.popitem(last=False)
        reply = {"variable": name, "summary": describe(output), "value": jsonable(output)}
        if isinstance(output, Image.Image):
            buf = io.BytesIO()
            output.save(buf, format="PNG")
            reply["image"] = base64.b64encode(buf.getvalue()).decode("ascii")
        return reply


class _RemoteError(VisreasonError):
    """An error the Reasoner's tool function returned as data; keeps the original type name."""

    def __init__(self, type_name: str, message: str, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.type_name = type_name

    def to_dict(self) -> dict:
        return {**super().to_dict(), "type": self.type_name}


def _program_registry() -> ToolRegistry:
    from tools.catalog import program_registry

    return program_registry()


def mcp_tools(session: ToolSession) -> list:
    """The session's schemas as MCP ``Tool`` objects (name, description, input schema unchanged)."""
    import mcp_types as types

    return [types.Tool(name=s["function"]["name"], description=s["function"]["description"],
                       input_schema=s["function"]["parameters"]) for s in session.schemas()]


def build_server(session: ToolSession) -> Any:
    """A low-level MCP ``Server`` whose tools are the session's (tool work runs in worker threads)."""
    import anyio
    import mcp_types as types
    from mcp.server.lowlevel import Server

    tools = mcp_tools(session)

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        try:
            reply = await anyio.to_thread.run_sync(session.call, params.name, params.arguments)
        except VisreasonError as exc:
            text = json.dumps({"error": exc.to_dict()})
            return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)
        picture = reply.pop("image", None)
        content: list = [types.TextContent(type="text", text=json.dumps(reply))]
        if picture is not None:
            content.append(types.ImageContent(type="image", data=picture, mime_type="image/png"))
        return types.CallToolResult(content=content, structured_content=reply)

    return Server(SERVER_NAME, version=_version(), on_list_tools=list_tools, on_call_tool=call_tool,
                  instructions="Vision tools and a visual-reasoning agent. Image arguments are file paths or "
                               "variables returned by earlier calls (BOX0, IMAGE1...).")


async def serve_stdio(session: ToolSession) -> None:
    """Serve one client over this process's stdin/stdout until it disconnects."""
    from mcp.server.stdio import stdio_server

    server = build_server(session)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("visreason")
    except PackageNotFoundError:
        return "0"
