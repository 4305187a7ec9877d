"""``visreason mcp``: the registry's tools and the Reasoner over MCP, driven by the official SDK's client.

The fast tests connect the client to the server in-process (no models); the slow one spawns
``python -m agent.cli mcp`` and talks to it over stdio, as an MCP host would.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from PIL import Image

from agent.config import Config
from agent.mcp_server import ToolSession, build_server
from agent.reasoner import Reasoner
from tools.catalog import program_registry
from tools.logic import LOGIC_TOOLS
from tools.registry import ToolRegistry

ROOT = Path(__file__).resolve().parents[2]


def picture_size(ctx, image: Image.Image) -> str:
    """Width x height of a picture (a model-free tool for these tests).

    Args:
        image: the picture.
    """
    return f"{image.size[0]}x{image.size[1]}"


def expected_tools(registry) -> dict[str, dict]:
    schemas = [*registry.schemas(), Reasoner(Config()).as_tool()["schema"]]
    return {s["function"]["name"]: s["function"] for s in schemas}


def listed(result) -> dict[str, dict]:
    return {t.name: {"name": t.name, "description": t.description, "parameters": t.input_schema}
            for t in result.tools}


def reply(result) -> dict:
    return json.loads(result.content[0].text)


def run_in_process(session: ToolSession, script) -> None:
    async def main() -> None:
        async with Client(build_server(session)) as client:
            await script(client)

    anyio.run(main)


def test_the_listed_schemas_are_the_registry_and_as_tool_schemas():
    seen = {}

    async def script(client):
        seen.update(listed(await client.list_tools()))

    run_in_process(ToolSession(Config()), script)
    assert seen == expected_tools(program_registry())
    assert {"LOC", "COUNT", "CROP", "EVAL", "visual_reasoning"} <= set(seen)


def test_results_become_variables_that_later_calls_use(tmp_path):
    Image.new("RGB", (40, 30), "red").save(tmp_path / "red.png")
    session = ToolSession(Config(), registry=ToolRegistry([picture_size, *LOGIC_TOOLS]), image_root=tmp_path)
    replies = []

    async def script(client):
        replies.append(reply(await client.call_tool("PICTURE_SIZE", {"image": "red.png"})))  # relative to the root
        replies.append(reply(await client.call_tool("EVAL", {"expr": "{ANSWER0} == '40x30'"})))
        replies.append(reply(await client.call_tool("RESULT", {"var": "ANSWER1"})))

    run_in_process(session, script)
    assert [r["variable"] for r in replies] == ["ANSWER0", "ANSWER1", "ANSWER2"]
    assert [r["value"] for r in replies] == ["40x30", True, True]


def test_mistakes_come_back_as_typed_error_results(tmp_path):
    outside = tmp_path / "outside.png"
    Image.new("RGB", (8, 8)).save(outside)
    root = tmp_path / "root"
    root.mkdir()
    session = ToolSession(Config(), registry=ToolRegistry([picture_size, *LOGIC_TOOLS]), image_root=root)
    results = []

    async def script(client):
        results.append(await client.call_tool("PICTURE_SIZE", {"image": str(outside)}))
        results.append(await client.call_tool("PICTURE_SIZE", {"image": "missing.png"}))
        results.append(await client.call_tool("NO_SUCH_TOOL", {}))
        results.append(await client.call_tool("EVAL", {"expr": "{ANSWER7} + 1"}))

    run_in_process(session, script)
    assert all(r.is_error for r in results)
    errors = [reply(r)["error"] for r in results]
    assert errors[0]["type"] == "InputError" and "outside the image root" in errors[0]["message"]
    assert errors[1]["type"] == "ImageError" and "missing.png" in errors[1]["message"]
    assert errors[2]["type"] == "UnknownModuleError" and "PICTURE_SIZE" in errors[2]["hint"]
    assert errors[3]["type"].endswith("Error") and "ANSWER7" in errors[3]["message"]


@pytest.mark.slow
def test_stdio_server_runs_tools_and_the_reasoner(tmp_path):
    from ultralytics.utils import ASSETS

    bus = str(ASSETS / "bus.jpg")
    env = dict(os.environ, VISREASON_MEMORY_PATH=str(tmp_path / "memory"))  # seeds only: a memory-planned question
    params = StdioServerParameters(command=sys.executable, args=["-m", "agent.cli", "mcp"], env=env, cwd=str(ROOT))
    out = {}

    async def main() -> None:
        async with Client(params) as client:
            out["tools"] = listed(await client.list_tools())
            out["loc"] = await client.call_tool("LOC", {"image": bus, "object": "bus"})
            out["count"] = await client.call_tool("COUNT", {"box": reply(out["loc"])["variable"]})
            out["crop"] = await client.call_tool("CROP", {"image": bus, "box": "BOX0"})
            out["ask"] = await client.call_tool(
                "visual_reasoning", {"question": "How many buses can be seen in this picture?", "images": [bus]})

    anyio.run(main)
    assert out["tools"] == expected_tools(program_registry())
    loc = reply(out["loc"])
    assert not out["loc"].is_error and loc["variable"] == "BOX0" and loc["value"]["labels"] == ["bus"]
    assert reply(out["count"])["value"] == 1
    crop = out["crop"]
    assert [c.type for c in crop.content] == ["text", "image"] and crop.content[1].mime_type == "image/png"
    assert reply(crop)["value"]["image"][0] < 810 or reply(crop)["value"]["image"][1] < 1080  # a crop, not the photo
    answer = reply(out["ask"])["value"]
    assert not out["ask"].is_error and answer["answer"] == "1" and "LOC(" in answer["program"]
