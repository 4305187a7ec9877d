"""``make bench``: the agent on the dev set, per-tool latency, and the interpreter's own overhead.

Prints a markdown report and writes bench-results/bench.json. Every figure in the README comes
from here. Run on a quiet machine: latency is wall time on whatever cores are free.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.sample_images import ensure_images  # noqa: E402


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def run_dev_set(reasoner, items: list[dict], base: Path) -> tuple[list[dict], float]:
    from agent.errors import VisreasonError

    rows = []
    for i, item in enumerate(items):
        images = [base / p for p in (item.get("images") or [item["image"]])]
        started = time.perf_counter()
        try:
            answer = reasoner.ask(item["question"], [str(p) for p in images])
            row = {"id": item["id"], "answer": answer.answer, "program": answer.program,
                   "valid_first_try": answer.valid_first_try, "repairs": answer.repairs,
                   "fallback": answer.fallback, "timings": answer.timings, "steps": answer.steps,
                   "warnings": answer.warnings, "error": None}
        except VisreasonError as exc:
            row = {"id": item["id"], "answer": "", "error": exc.to_dict(), "timings": {}, "steps": []}
        row["latency_s"] = time.perf_counter() - started
        rows.append(row)
        print(f"[{i + 1}/{len(items)}] {item['id']}: {row['answer']!r} (gold {item['answer']}) "
              f"{row['latency_s']:.1f}s", file=sys.stderr, flush=True)
    return rows


def interpreter_overhead(images: Path, repeats: int = 5) -> dict:
    """Interpreter wall time minus tool time, for a fixed program on the sample photos."""
    from agent.config import Config
    from agent.images import load_image
    from agent.program.interpreter import Interpreter
    from tools.cache import ToolCache
    from tools.catalog import default_registry
    from tools.context import ToolContext

    program = ("BOX0=LOC(image=IMAGE,object='person')\nANSWER0=COUNT(box=BOX0)\nIMAGE0=CROP(image=IMAGE,box=BOX0)\n"
               "ANSWER1=COLOR(image=IMAGE0)\nANSWER2=EVAL(expr=\"'yes' if {ANSWER0} > 0 else 'no'\")\n"
               "FINAL_RESULT=RESULT(var=ANSWER2)")
    registry = default_registry()
    overhead, tools = [], []
    for name in ("bus.jpg", "zidane.jpg", "astronaut.png"):
        img = load_image(images / name)
        for _ in range(repeats):
            ctx = ToolContext(config=Config(), cache=ToolCache())  # fresh cache: real tool work each time
            run = Interpreter(registry, ctx).run(program, {"IMAGE": img})
            overhead.append(run.seconds - run.tool_seconds)
            tools.append(run.tool_seconds)
    return {"interpreter_overhead_ms_p50": 1000 * statistics.median(overhead),
            "tool_time_ms_p50": 1000 * statistics.median(tools),
            "overhead_share": statistics.median(overhead) / statistics.median(tools)}


def report(rows: list[dict], gold: list[dict], cold_s: float, config_desc: str, overhead: dict) -> dict:
    from agent.score import score

    rep = score({r["id"]: r["answer"] for r in rows}, gold)
    ok = [r for r in rows if not r["error"]]
    warm = [r["latency_s"] for r in rows[1:]]
    single = [r["latency_s"] for r, g in zip(rows[1:], gold[1:], strict=True) if "images" not in g]
    split = defaultdict(float)
    for r in rows[1:]:
        for k in ("llm_s", "tools_s", "framework_s"):
            split[k] += r["timings"].get(k, 0.0)
    total = sum(split.values()) or 1.0
    per_tool = defaultdict(list)
    for r in rows[1:]:
        for s in r["steps"]:
            per_tool[s["module"]].append(s["ms"])
    return {
        "config": config_desc,
        "n": len(rows),
        "accuracy": rep.accuracy,
        "by_type": {k: v.to_dict() for k, v in rep.by_type.items()},
        "valid_first_try": sum(r.get("valid_first_try", False) for r in ok) / max(1, len(ok)),
        "repair_rate": sum(r.get("repairs", 0) > 0 for r in ok) / max(1, len(ok)),
        "fallback_rate": sum(r.get("fallback", False) for r in ok) / max(1, len(ok)),
        "errors": len(rows) - len(ok),
        "cold_first_question_s": cold_s,
        "warm_p50_s": pct(warm, 0.5), "warm_p95_s": pct(warm, 0.95),
        "warm_single_image_p50_s": pct(single, 0.5),
        "time_split": {k: v / total for k, v in split.items()},
        "tool_ms_p50": {k: statistics.median(v) for k, v in sorted(per_tool.items())},
        **overhead,
        "rows": [{k: r[k] for k in ("id", "answer", "latency_s", "error") if k in r} | {"program": r.get("program")}
                 for r in rows],
    }


def markdown(res: dict) -> str:
    lines = [f"### visreason bench ({res['config']}, {res['n']} questions)", "",
             "| metric | value |", "|---|---|",
             f"| accuracy | {res['accuracy']:.1%} |",
             f"| programs valid on the first try | {res['valid_first_try']:.1%} |",
             f"| repair rate | {res['repair_rate']:.1%} |",
             f"| fallback rate | {res['fallback_rate']:.1%} |",
             f"| cold: first question, models loading | {res['cold_first_question_s']:.1f} s |",
             f"| warm p50 / p95 | {res['warm_p50_s']:.2f} s / {res['warm_p95_s']:.2f} s |",
             f"| warm p50, single-image questions | {res['warm_single_image_p50_s']:.2f} s |",
             "| time split LLM / tools / framework | " + " / ".join(
                 f"{res['time_split'].get(k, 0):.0%}" for k in ("llm_s", "tools_s", "framework_s")) + " |",
             f"| interpreter overhead vs tool time | {res['overhead_share']:.2%} "
             f"({res['interpreter_overhead_ms_p50']:.2f} ms vs {res['tool_time_ms_p50']:.0f} ms) |",
             "", "| question type | accuracy | n |", "|---|---|---|"]
    for k, v in sorted(res["by_type"].items()):
        lines.append(f"| {k} | {v['accuracy']:.0%} | {v['total']} |")
    lines += ["", "| tool | p50 ms (warm, cached results included) |", "|---|---|"]
    lines += [f"| {k} | {v:.1f} |" for k, v in res["tool_ms_p50"].items()]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", default=str(ROOT / "benchmarks" / "dev.jsonl"))
    ap.add_argument("--llm", help="LLM spec, e.g. gguf:qwen2.5-coder-0.5b")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--out", default=str(ROOT / "bench-results" / "bench.json"))
    args = ap.parse_args()

    from agent.config import load_config
    from agent.reasoner import Reasoner

    ensure_images()
    config = load_config()
    if args.llm:
        from agent.llm.factory import parse_llm_spec

        config = config.replace(**parse_llm_spec(args.llm))
    gold = [json.loads(line) for line in Path(args.dev).read_text().splitlines() if line.strip()][: args.limit]
    reasoner = Reasoner(config)
    rows = run_dev_set(reasoner, gold, Path(args.dev).parent)
    overhead = interpreter_overhead(ROOT / "benchmarks" / "images")
    res = report(rows, gold, rows[0]["latency_s"], f"{config.llm.backend}:{config.llm.model}", overhead)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2, default=str))
    print(markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
