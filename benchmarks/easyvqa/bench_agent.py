"""easy-VQA diagrams through the whole agent (planner, memory, interpreter, refiner), not reference programs.

    .venv/bin/python benchmarks/easyvqa/bench_agent.py [--n 200] [--seed 5] [--llm SPEC]

Picks ``--n`` TEST-split questions with a fixed seed (a different seed from the one used while
building SHAPES), asks the Reasoner with a fresh program memory (seeds only: prompts/diagram_examples.jsonl,
written by hand, none verbatim in the test split), and reports accuracy, the share planned from memory,
LLM-planned questions and the median seconds per question.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.easyvqa.run_easyvqa import pick  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--llm", help="LLM spec (default: the config's)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from agent.config import load_config
    from agent.reasoner import Reasoner
    from agent.score import normalize_answer

    config = load_config(overrides={"memory.path": tempfile.mkdtemp(prefix="easyvqa-memory-")})
    if args.llm:
        from agent.llm.factory import parse_llm_spec

        config = config.replace(**parse_llm_spec(args.llm))
    reasoner = Reasoner(config)
    items = pick("test", args.n, args.seed)
    rows = []
    for i, item in enumerate(items):
        started = time.perf_counter()
        answer = reasoner.ask(item["question"], [item["image"]], render_images=False)
        rows.append({"question": item["question"], "gold": item["answer"], "answer": answer.answer,
                     "right": normalize_answer(answer.answer) == normalize_answer(item["answer"]),
                     "source": answer.planned_by.get("source", "?"), "s": time.perf_counter() - started})
        print(f"[{i + 1}/{len(items)}] {item['question']} -> {answer.answer!r} (gold {item['answer']!r}, "
              f"{rows[-1]['source']}, {rows[-1]['s']:.2f}s)", file=sys.stderr, flush=True)
    report = {"n": len(rows), "seed": args.seed, "accuracy": sum(r["right"] for r in rows) / len(rows),
              "from_memory": sum(r["source"] == "memory" for r in rows) / len(rows),
              "llm_planned": sum(r["source"] == "llm" for r in rows),
              "p50_s": statistics.median(r["s"] for r in rows),
              "wrong": [r for r in rows if not r["right"]][:20]}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"easy-VQA test split through the agent, {report['n']} questions (seed {args.seed}): "
              f"{100 * report['accuracy']:.1f}% right, {100 * report['from_memory']:.0f}% planned from memory, "
              f"{report['llm_planned']} planned by the LLM, p50 {report['p50_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
