"""``visreason`` command line: each sub-command lives in its own module and registers itself."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from agent.errors import VisreasonError

# module -> it defines ``register(subparsers)``; imported lazily so `--help` stays fast.
SUBCOMMAND_MODULES = (
    "agent.cli_run",      # run: a program without an LLM
    "agent.cli_ask",      # ask: a question through the agent
    "agent.cli_models",   # models list|fetch|verify
    "agent.cli_batch",    # batch, score
    "agent.cli_memory",   # memory list|show|add|forget|export|import|reset|match
    "agent.cli_mcp",      # mcp: the tools and the reasoner as an MCP server (stdio)
    "agent.cli_kb",       # kb build|add|search|info|delete
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="visreason", description="Agentic visual reasoning with visible evidence.")
    parser.add_argument("--config", help="TOML config file (also $VISREASON_CONFIG)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override one config value, e.g. --set detector.score_threshold=0.4")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside the module
                raise
            continue
        module.register(sub)
    return parser


LLM_HELP = ("the controller LLM: gguf:NAME_OR_PATH | openai:MODEL@URL | hf:ID_OR_PATH "
            "(default: the config's llm.backend:llm.model, gguf:qwen2.5-coder-1.5b)")


def add_llm_argument(parser: argparse.ArgumentParser, help: str = LLM_HELP) -> None:
    """``--llm SPEC``, the same model spec in every sub-command (read by ``config_from_args``)."""
    parser.add_argument("--llm", metavar="SPEC", help=help)


def config_from_args(args: argparse.Namespace):
    """The config from --config, --set and, where the sub-command has it, --llm (which wins over both)."""
    from agent.config import load_config
    from agent.errors import ConfigError

    overrides = {}
    for item in args.set:
        if "=" not in item:
            raise ConfigError(f"--set expects SECTION.KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        overrides[key.strip()] = value.strip()
    config = load_config(args.config, overrides)
    if getattr(args, "llm", None):
        from agent.llm.factory import parse_llm_spec  # lazy: pulls in LLM backends

        config = config.replace(**parse_llm_spec(args.llm))
    return config


GLOBAL_OPTIONS = ("--set", "--config")  # accepted before or after the sub-command


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move ``--set K=V`` / ``--config F`` (also ``--set=K=V``) to the front, so that
    ``visreason ask --set llm.model=x ...`` works like ``visreason --set llm.model=x ask ...``.
    Nothing after a ``--`` is touched."""
    front, rest, i = [], [], 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            rest += argv[i:]
            break
        name = token.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and "=" in token:
            front.append(token)
        elif token in GLOBAL_OPTIONS and i + 1 < len(argv):
            front += [token, argv[i + 1]]
            i += 1
        else:
            rest.append(token)
        i += 1
    return front + rest


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(hoist_global_options(list(sys.argv[1:] if argv is None else argv)))
    try:
        return int(args.func(args) or 0)
    except VisreasonError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.to_dict()}))
        else:
            print(f"error: {type(exc).__name__}: {exc}" + (f"\n{exc.hint}" if exc.hint else ""), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
