"""``visreason mcp``: serve the tools and the Reasoner to an MCP client over stdio (see agent/mcp_server.py).

An MCP client starts it as a subprocess, e.g. ``{"command": "visreason", "args": ["mcp"]}``.
Stdout carries the protocol only; logs and stray prints go to stderr.
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser("mcp", help="serve the tools and the reasoner over the Model Context Protocol (stdio)")
    p.add_argument("--image-root", metavar="DIR",
                   help="image paths must lie inside DIR (relative paths are read from it); default: any readable file")
    p.add_argument("--llm", metavar="SPEC", help="the controller LLM: gguf:NAME_OR_PATH | openai:MODEL@URL | hf:ID_OR_PATH (default: the config's llm.backend:llm.model, gguf:qwen2.5-coder-1.5b)")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    import anyio

    from agent.cli import config_from_args
    from agent.mcp_server import ToolSession, serve_stdio

    config = config_from_args(args)
    if args.llm:
        from agent.llm.factory import parse_llm_spec

        config = config.replace(**parse_llm_spec(args.llm))
    session = ToolSession(config, image_root=args.image_root)
    anyio.run(serve_stdio, session)
    return 0
