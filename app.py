"""visreason chat demo: ``python app.py [--host 127.0.0.1] [--port 7860] [--config file.toml]``.

Binds to localhost and never creates a public share link. The logic lives in agent/ui/.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from agent.errors import VisreasonError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="visreason Gradio chat demo")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("VISREASON_APP_PORT", "7860")),
                        help="port (default $VISREASON_APP_PORT or 7860)")
    parser.add_argument("--config", help="TOML config file (also $VISREASON_CONFIG)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override one config value")
    parser.add_argument("--concurrency", type=int, default=4, help="questions answered in parallel")
    # Tests swap the reasoner for a stand-in; not part of the user-facing interface.
    parser.add_argument("--reasoner-factory", default=os.environ.get("VISREASON_REASONER_FACTORY"),
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    try:
        from agent.cli import config_from_args
        from agent.ui.app_builder import build_app, load_factory

        config = config_from_args(args)
        app = build_app(config, reasoner_factory=load_factory(args.reasoner_factory), concurrency=args.concurrency)
    except VisreasonError as exc:
        print(f"error: {type(exc).__name__}: {exc}" + (f"\n{exc.hint}" if exc.hint else ""), file=sys.stderr)
        return 2
    app.launch(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
