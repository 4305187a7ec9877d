"""How many of VisProg's 55 published programs run here, unchanged, and why the others do not.

    .venv/bin/python benchmarks/visprog_parity.py --llm gguf:qwen2.5-coder-0.5b [--json out.json] [--save-dir DIR]

Each program of tests/agent/program/visprog_programs.py (VisProg's four prompt files, verbatim) runs
through the interpreter with every module a program may call (tools.catalog.program_registry), on a
sample photo chosen for its family (two for NLVR). "Ran" means the program reached its RESULT; steps
that could only do part of their job (faces left untagged without CLIP, a SELECT that picked nothing)
are counted apart as "ran with warnings", and programs whose last object step found nothing (LOC of a
word outside COCO, so nothing to tag) as "ran on no objects". Without --llm, VQA and LIST fail.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Photos per family, and per program where its subject is in another photo (family, number) -> images.
FAMILY_IMAGES = {"gqa": ("bus.jpg",), "nlvr": ("bus.jpg", "zidane.jpg"), "knowtag": ("zidane.jpg",),
                 "imgedit": ("bus.jpg",)}
PROGRAM_IMAGES = {
    ("gqa", 17): ("chelsea.png",), ("gqa", 18): ("chelsea.png",), ("gqa", 19): ("chelsea.png",),
    ("gqa", 20): ("chelsea.png",), ("knowtag", 2): ("chelsea.png",), ("knowtag", 7): ("coffee.png",),
    ("knowtag", 8): ("coffee.png",), ("knowtag", 9): ("logo.png",), ("knowtag", 10): ("logo.png",),
    ("imgedit", 1): ("zidane.jpg",), ("imgedit", 2): ("zidane.jpg",), ("imgedit", 3): ("zidane.jpg",),
    ("imgedit", 6): ("zidane.jpg",),
}


PROGRAM_SECONDS = 900


def images_for(family: str, number: int) -> dict[str, str]:
    from agent.reasoner import name_images
    from benchmarks.sample_images import ensure_images

    folder = ensure_images()
    names = PROGRAM_IMAGES.get((family, number), FAMILY_IMAGES[family])
    return name_images([str(folder / n) for n in names])


def run_all(llm_spec: str | None, save_dir: Path | None, families: tuple[str, ...] = ()) -> list[dict]:
    from agent.cli_run import LazyLLM
    from agent.config import load_config
    from agent.images import load_image
    from agent.program.interpreter import Interpreter
    from agent.trace import describe
    from tests.agent.program.visprog_programs import PROGRAMS
    from tools.cache import ToolCache
    from tools.catalog import program_registry
    from tools.context import ToolContext
    from tools.types import Detections

    # VisProg has no time budget; ours (60 s) is a safety default that six VQA calls of a CPU LLM can exceed.
    config = load_config().replace(**{"budgets.program_seconds": PROGRAM_SECONDS})
    if llm_spec:
        from agent.llm.factory import parse_llm_spec

        config = config.replace(**parse_llm_spec(llm_spec))
    ctx = ToolContext(config=config, llm=LazyLLM(config) if llm_spec else None, cache=ToolCache())
    interpreter = Interpreter(program_registry(), ctx, config.budgets, render_images=False)
    rows = []
    for p in PROGRAMS:
        if families and p.family not in families:
            continue
        paths = images_for(p.family, p.number)
        images = {name: load_image(path, config.images, name=path) for name, path in paths.items()}
        row = {"family": p.family, "number": p.number, "instruction": p.instruction,
               "images": sorted({Path(v).name for v in paths.values()})}
        started = time.perf_counter()
        try:
            run = interpreter.run(p.program, images)
        except Exception as exc:  # typed errors expected; anything else is reported as a crash
            row.update(status="error", error=type(exc).__name__, line=getattr(exc, "line", None),
                       message=str(getattr(exc, "message", exc))[:200])
        else:
            warnings = [f for s in run.trace.steps for f in (s.facts or ()) if f.startswith("warning:")]
            row.update(status="ran with warnings" if warnings else "ran", result=describe(run.result)[:80],
                       warnings=warnings)
            object_sets = [v for v in run.variables.values() if isinstance(v, Detections)]
            if object_sets:  # what the last object step handed on (TAG, COLORPOP... act on these)
                row["objects"] = object_sets[-1].summary()[:80]
                if not len(object_sets[-1]):
                    row["status"] = "ran on no objects"  # e.g. LOC('shoe'): not a COCO class, nothing to tag
            if save_dir is not None and hasattr(run.result, "save"):
                run.result.save(save_dir / f"{p.family}_{p.number:02d}.png")
        row["seconds"] = round(time.perf_counter() - started, 2)
        rows.append(row)
        print(f"{p.family:8} {p.number:2} {row['status']:18} {row['seconds']:6.2f}s  "
              f"{row.get('result') or row.get('error', '') + ': ' + row.get('message', '')}"
              f"{'  [' + row['objects'] + ']' if row.get('objects') else ''}"[:200], flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", help="LLM for VQA and LIST, e.g. gguf:qwen2.5-coder-0.5b")
    parser.add_argument("--json", metavar="OUT.json", help="write every program's outcome")
    parser.add_argument("--save-dir", metavar="DIR", help="write the image results here")
    parser.add_argument("--family", action="append", default=[], choices=("gqa", "nlvr", "knowtag", "imgedit"),
                        help="run only these families (repeatable)")
    args = parser.parse_args(argv)
    save_dir = Path(args.save_dir) if args.save_dir else None
    if save_dir is not None:
        save_dir.mkdir(parents=True, exist_ok=True)
    rows = run_all(args.llm, save_dir, tuple(args.family))
    ran = [r for r in rows if r["status"] != "error"]
    warned = [r for r in ran if r["status"] == "ran with warnings"]
    empty = [r for r in ran if r["status"] == "ran on no objects"]
    print(f"\n{len(ran)}/{len(rows)} of VisProg's published programs ran to a result; of them {len(warned)} with "
          f"warnings and {len(empty)} on an empty object set (nothing tagged or edited); llm: {args.llm or 'none'}")
    for family in ("gqa", "nlvr", "knowtag", "imgedit"):
        fam = [r for r in rows if r["family"] == family]
        if fam:
            print(f"  {family:8} {sum(r['status'] != 'error' for r in fam)}/{len(fam)}")
    reasons: dict[str, list[str]] = {}
    for r in rows:
        if r["status"] == "error":
            reasons.setdefault(f"{r['error']}: {r['message'][:110]}", []).append(f"{r['family']} {r['number']}")
    if reasons:
        print("not run:")
        for reason, which in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(which):2} x {reason}  [{', '.join(which)}]")
    if warned:
        print("warnings:")
        for r in warned:
            print(f"  {r['family']} {r['number']}: {r['warnings'][0][:140]}")
    if args.json:
        Path(args.json).write_text(json.dumps({"llm": args.llm, "ran": len(ran), "total": len(rows), "rows": rows},
                                              indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
