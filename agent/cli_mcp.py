"""``visreason mcp``: serve the tools and the Reasoner to an MCP client over stdio (see agent/mcp_server.py).

An MCP client starts it as a subprocess, e.g. ``{"command": "visreason", "args": ["mcp"]}``.
Stdout carries the protocol only; logs and stray prints go to stderr.
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    from agent.cli import add_llm_argument

    p = subparsers.add_parser("mcp", help="serve the tools and the reasoner over the Model Context Protocol (stdio)")
    p.add_argument("--image-root", metavar="DIR",
                   help="image paths must lie inside DIR (relative paths are read from it); default: any readable file")
    add_llm_argument(p)
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    import anyio

    from agent.cli import config_from_args
    from agent.mcp_server import ToolSession, serve_stdio

    config = config_from_args(args)
    session = ToolSession(config, image_root=args.image_root)
    anyio.run(serve_stdio, session)
    return 0
