"""The agent on the tuning set (benchmarks/tune.jsonl) or any set in its line format, with traces for misses.

    .venv/bin/python benchmarks/tune_bench.py --split A            # what fixes are made on
    .venv/bin/python benchmarks/tune_bench.py --split B            # run once, at the end, to report
    .venv/bin/python benchmarks/tune_bench.py --set benchmarks/dev.jsonl --split all

tune.jsonl's lines carry ``split``: "A" (looked at and fixed on) or "B" (written at the start, run only
to report). The memory state is the shipped seeds (a fresh memory folder) unless --state empty. Prints
one line per question and a summary; writes every row, with its program and its steps' summaries, to
bench-results/tune-<set>-<split>.json, so that a miss can be read without running it again.
Never point it at benchmarks/heldout.jsonl while tuning: that set is run by the lead, once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.bench_memory import CallCounter, load, run, summary  # noqa: E402
from benchmarks.sample_images import ensure_images  # noqa: E402
from benchmarks.tune_renders import ensure_tune_images  # noqa: E402


def select(items: list[dict], split: str, ids: str | None = None) -> list[dict]:
    """The items of one split ('A', 'B' or 'all'), optionally only the given comma-separated ids."""
    chosen = [d for d in items if split == "all" or d.get("split") == split]
    if ids:
        wanted = set(ids.split(","))
        chosen = [d for d in chosen if d["id"] in wanted]
    return chosen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default=str(ROOT / "benchmarks" / "tune.jsonl"))
    ap.add_argument("--split", default="A", choices=("A", "B", "all"))
    ap.add_argument("--ids", help="comma-separated ids to run (default: the whole split)")
    ap.add_argument("--state", default="seeds", choices=("seeds", "empty"))
    ap.add_argument("--llm", help="LLM spec (default: the config's, the 1.5B)")
    ap.add_argument("--out")
    args = ap.parse_args()
    if Path(args.set).name == "heldout.jsonl":
        ap.error("the held-out set is not a tuning set: bench_memory.py runs it")

    from agent.config import load_config
    from agent.reasoner import Reasoner

    ensure_images()
    ensure_tune_images()
    config = load_config()
    if args.llm:
        from agent.llm.factory import parse_llm_spec

        config = config.replace(**parse_llm_spec(args.llm))
    items = select(load(Path(args.set)), args.split, args.ids)
    cfg = config.replace(**{"memory.path": tempfile.mkdtemp(prefix="tune-memory-"),
                            "memory.enabled": args.state != "empty"})
    reasoner = Reasoner(cfg)
    reasoner.warm_up()
    counter = CallCounter()
    counter.install()
    steps: dict[str, list] = {}
    original_ask = reasoner.ask

    def ask(question, images, **kw):  # keeps each answer's steps for the report (measurement only)
        answer = original_ask(question, images, **kw)
        steps[question + "|" + "|".join(images)] = [
            {"module": s.get("module"), "summary": str(s.get("summary") or s.get("output"))[:200],
             "error": s.get("error")} for s in answer.steps]
        return answer

    reasoner.ask = ask
    base = Path(args.set).parent
    rows = run(reasoner, items, base, counter)
    for item, row in zip(items, rows, strict=True):
        images = [str(base / p) for p in (item.get("images") or [item["image"]])]
        row["question"] = item["question"]
        row["steps"] = steps.get(item["question"] + "|" + "|".join(images), [])
    result = {"config": f"{config.llm.backend}:{config.llm.model}", "set": args.set, "split": args.split,
              "state": args.state, "summary": summary(rows), "rows": rows}
    out = Path(args.out or ROOT / "bench-results" / f"tune-{Path(args.set).stem}-{args.split}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    s = result["summary"]
    print(f"{Path(args.set).name} split {args.split} ({args.state}, {result['config']}): "
          f"{s.get('accuracy', 0):.1%} of {s.get('n', 0)}, p50 {s.get('p50_s', 0):.2f} s, "
          f"LLM calls/q {s.get('llm_calls_per_q', 0):.2f}, from memory {s.get('from_memory', 0):.0%}")
    print("by type: " + ", ".join(f"{k} {v:.0%}" for k, v in s.get("by_type", {}).items()))
    for row in rows:
        if not row["right"]:
            print(f"MISS {row['id']}: {row['answer']!r} gold {row['gold']} ({row['planned_by']})\n  "
                  + row["program"].replace("\n", "\n  "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
