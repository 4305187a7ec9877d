"""``visreason run``: execute a program file on images, without an LLM."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent.errors import InputError
from tools.catalog import default_registry


def register(subparsers) -> None:
    p = subparsers.add_parser("run", help="run a visual program on one or more images (no LLM)")
    p.add_argument("--image", action="append", required=True, metavar="PATH",
                   help="input image; one -> IMAGE, two -> LEFT and RIGHT; also IMAGE_0..n")
    p.add_argument("--program-file", required=True, metavar="FILE", help="program text, one step per line")
    p.add_argument("--json", action="store_true", help="print the result and steps as JSON")
    p.add_argument("--html", metavar="OUT.html", help="write the visual trace as one HTML page")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from agent.cli import config_from_args
    from agent.images import load_image
    from agent.program.interpreter import Interpreter
    from agent.reasoner import name_images
    from agent.trace import jsonable
    from tools.context import ToolContext

    config = config_from_args(args)
    path = Path(args.program_file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the program: {exc}") from None
    images = {name: load_image(p, config.images, name=p) for name, p in name_images(args.image).items()}
    interpreter = Interpreter(default_registry(), ToolContext(config=config), config.budgets,
                              render_images=bool(args.html))
    try:
        run = interpreter.run(text, images)
    except Exception as exc:
        trace = getattr(exc, "trace", None)
        if args.html and trace is not None:
            Path(args.html).write_text(trace.to_html(title=f"visreason run {path.name} (failed)"), encoding="utf-8")
        raise
    if args.html:
        Path(args.html).write_text(run.trace.to_html(title=f"visreason run {path.name}"), encoding="utf-8")
    if args.json:
        out = run.trace.to_dict()
        out["seconds"] = round(run.seconds, 4)
        print(json.dumps(out))
    else:
        result = jsonable(run.result)
        print(result if isinstance(result, str) else json.dumps(result))
    return 0
