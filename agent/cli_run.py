"""``visreason run``: execute a program file on images (VisProg's programs run as written).

The configured LLM (``--llm``, ``--config``, ``--set llm.*``) is attached but loaded only when a step
asks it something: VQA and CAPTION answering from tool facts, LIST writing a list. A program of
detectors and edits never loads it; ``--no-llm`` leaves it out altogether.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent.config import Config
from agent.errors import InputError
from tools.catalog import program_registry


def register(subparsers) -> None:
    from agent.cli import add_llm_argument

    p = subparsers.add_parser("run", help="run a visual program on one or more images")
    p.add_argument("--image", action="append", required=True, metavar="PATH",
                   help="input image; one -> IMAGE, two -> LEFT and RIGHT; also IMAGE_0..n")
    p.add_argument("--program-file", required=True, metavar="FILE", help="program text, one step per line")
    add_llm_argument(p, help="gguf:NAME_OR_PATH | openai:MODEL@URL | hf:ID_OR_PATH "
                             "(loaded only if a step needs it: VQA, CAPTION, LIST)")
    p.add_argument("--no-llm", action="store_true", help="attach no LLM (VQA and LIST then fail with a typed error)")
    p.add_argument("--json", action="store_true", help="print the result and steps as JSON")
    p.add_argument("--quiet", action="store_true", help="print only the result")
    p.add_argument("--html", metavar="OUT.html", help="write the visual trace as one HTML page")
    p.add_argument("--save-image", metavar="OUT.png", help="write the result image (COLORPOP, BGBLUR, EMOJI, TAG...)")
    p.set_defaults(func=handle)


class LazyLLM:
    """The configured LLM, built on the first ``chat`` call (a program without VQA/LIST never loads it)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.name = f"{config.llm.backend}:{config.llm.model}"
        self._llm = None

    def chat(self, messages: list[dict], **kwargs: Any):
        if self._llm is None:
            from agent.llm.factory import shared_llm

            self._llm = shared_llm(self.config, slot="aux")
        return self._llm.chat(messages, **kwargs)


def handle(args: argparse.Namespace) -> int:
    from agent.cli import config_from_args
    from agent.images import load_image
    from agent.program.interpreter import Interpreter
    from agent.reasoner import name_images
    from tools.cache import ToolCache
    from tools.context import ToolContext

    config = config_from_args(args)
    path = Path(args.program_file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the program: {exc}") from None
    save = Path(args.save_image) if args.save_image else None
    if save is not None and not save.parent.is_dir():
        raise InputError(f"--save-image {save}: the folder {save.parent} does not exist")
    images = {name: load_image(p, config.images, name=p) for name, p in name_images(args.image).items()}
    ctx = ToolContext(config=config, llm=None if args.no_llm else LazyLLM(config), cache=ToolCache.from_config(config))
    interpreter = Interpreter(program_registry(), ctx, config.budgets, render_images=bool(args.html))
    live = not (args.json or args.quiet)
    try:
        run = interpreter.run(text, images, on_step=_print_step if live else None)
    except Exception as exc:
        trace = getattr(exc, "trace", None)
        if args.html and trace is not None:
            Path(args.html).write_text(trace.to_html(title=f"visreason run {path.name} (failed)"), encoding="utf-8")
        raise
    if args.html:
        Path(args.html).write_text(run.trace.to_html(title=f"visreason run {path.name}"), encoding="utf-8")
    if save is not None:
        _save_image(run.result, save)
    _print_result(args, run, save)
    return 0


def _save_image(result: Any, path: Path) -> None:
    from PIL import Image

    from agent.trace import describe

    if not isinstance(result, Image.Image):
        raise InputError(f"--save-image {path}: the program's result is {describe(result)}, not an image",
                         hint="end the program with an image step (COLORPOP, BGBLUR, EMOJI, REPLACE, TAG, CROP)")
    try:
        result.convert("RGB").save(path) if path.suffix.lower() in {".jpg", ".jpeg"} else result.save(path)
    except (OSError, ValueError) as exc:  # unknown extension, unwritable folder
        raise InputError(f"--save-image {path}: cannot write the image: {exc}") from None


def _print_step(step) -> None:
    print(f"  [{step.line}] {step.module:<12} {step.summary[:100]}  ({step.ms:.0f} ms)")
    for fact in step.facts or ():
        if fact.startswith("warning:"):
            print(f"      {fact}")
    sys.stdout.flush()


def _print_result(args: argparse.Namespace, run, save: Path | None) -> None:
    from agent.trace import describe, jsonable

    if args.json:
        out = run.trace.to_dict()
        out["seconds"] = round(run.seconds, 4)
        if save is not None:
            out["saved_image"] = str(save.resolve())
        print(json.dumps(out))
        return
    result = jsonable(run.result)
    shown = result if isinstance(result, str) else json.dumps(result)
    if args.quiet:
        print(shown)
        return
    print(f"Result: {describe(run.result) if isinstance(result, dict) and 'image' in result else shown}")
    if save is not None:
        print(f"image written to {save.resolve()}")
    print(f"time: {run.seconds:.2f}s (tools {run.tool_seconds:.2f}s)")
