"""``make bench``: accuracy and speed in three program-memory states, plus cold start and peak RSS.

States (issue 10):
  (a) empty   - no memory: the LLM plans every question;
  (b) seeds   - the shipped seed templates only (prompts/program_examples.jsonl);
  (c) learned - seeds + programs learned on half A of the dev set (answers scored right against
                gold), evaluated on half B only. No question is shared between the halves, and no
                accuracy is ever reported on questions the memory learned from.

The held-out set (benchmarks/heldout.jsonl, never tuned on) is evaluated in states (b) and (c).
LLM calls are counted by wrapping the backend's ``chat`` (measurement only). Run on a quiet
machine: latency is wall time on whatever cores are free. Writes bench-results/bench-memory.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.bench import pct  # noqa: E402
from benchmarks.sample_images import ensure_images  # noqa: E402


def half(question: str) -> str:
    """A fixed split of the dev set by question hash: 'A' (learn) or 'B' (evaluate).

    Hashing the normalised question (not the id) keeps a question asked of two photos in one half,
    so no question is shared between the halves."""
    norm = " ".join(question.lower().split())
    return "A" if int(hashlib.sha1(norm.encode()).hexdigest(), 16) % 2 == 0 else "B"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class CallCounter:
    """Counts LLM calls of every backend object (measurement only)."""

    def __init__(self) -> None:
        self.calls = 0

    def install(self) -> None:
        from agent.llm import llama_cpp_backend

        cls = next(v for k, v in vars(llama_cpp_backend).items() if isinstance(v, type) and hasattr(v, "chat")
                   and k.lower().startswith("llama"))
        original = cls.chat
        counter = self

        def chat(self, *a, **kw):
            counter.calls += 1
            return original(self, *a, **kw)

        cls.chat = chat


def run(reasoner, items: list[dict], base: Path, counter: CallCounter, *, learn: bool = False) -> list[dict]:
    from agent.errors import VisreasonError
    from agent.score import score

    rows = []
    for item in items:
        images = [str(base / p) for p in (item.get("images") or [item["image"]])]
        before = counter.calls
        started = time.perf_counter()
        try:
            answer = reasoner.ask(item["question"], images, render_images=False)
            ans, source, error = answer.answer, answer.planned_by.get("source", "?"), None
        except VisreasonError as exc:
            answer, ans, source, error = None, "", "error", exc.to_dict()
        latency = time.perf_counter() - started
        right = score({item["id"]: ans}, [item]).accuracy == 1.0
        learned = None
        if learn and right and answer is not None:
            learned = reasoner.learn(answer)
        rows.append({"id": item["id"], "type": item.get("type", ""), "answer": ans, "gold": item["answer"],
                     "right": right, "latency_s": latency, "llm_calls": counter.calls - before,
                     "planned_by": source, "error": error, "learned": learned,
                     "program": answer.program if answer is not None else ""})
        print(f"  {item['id']}: {ans!r} ({'ok' if right else 'WRONG'}, {source}, {latency:.1f}s, "
              f"{counter.calls - before} LLM calls)", file=sys.stderr, flush=True)
    return rows


def summary(rows: list[dict]) -> dict:
    if not rows:
        return {}
    lat = [r["latency_s"] for r in rows]
    by_type: dict[str, list[bool]] = {}
    for r in rows:
        by_type.setdefault(r["type"], []).append(r["right"])
    return {"n": len(rows), "accuracy": sum(r["right"] for r in rows) / len(rows),
            "p50_s": statistics.median(lat), "p95_s": pct(lat, 0.95),
            "llm_calls_per_q": sum(r["llm_calls"] for r in rows) / len(rows),
            "from_memory": sum(r["planned_by"] == "memory" for r in rows) / len(rows),
            "by_type": {k: sum(v) / len(v) for k, v in sorted(by_type.items())}}


def peak_rss_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def cold_start(llm_model: str, image: Path) -> float:
    """Process start to first answer, as a user runs it (`visreason ask`), with a fresh memory folder."""
    env = dict(os.environ, VISREASON_MEMORY_PATH=tempfile.mkdtemp(prefix="bench-cold-"), VISREASON_LLM_MODEL=llm_model)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "agent.cli", "ask", "--image", str(image), "How many dogs are in the picture?"],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llm", help="LLM spec, e.g. gguf:qwen2.5-coder-0.5b (default: the config's, the 1.5B)")
    ap.add_argument("--dev", default=str(ROOT / "benchmarks" / "dev.jsonl"))
    ap.add_argument("--heldout", default=str(ROOT / "benchmarks" / "heldout.jsonl"))
    ap.add_argument("--states", default="empty,seeds,learned", help="comma-separated subset")
    ap.add_argument("--heldout-in", default="seeds",
                    help="states that also run the held-out set (comma-separated; default seeds: learning on dev "
                         "half A is measured on half B, and it left the held-out score unchanged before)")
    ap.add_argument("--out", default=str(ROOT / "bench-results" / "bench-memory.json"))
    args = ap.parse_args()

    from agent.config import load_config
    from agent.reasoner import Reasoner

    ensure_images()
    heldout_path = Path(args.heldout)
    if heldout_path.exists():
        try:
            from benchmarks.heldout_images import ensure_heldout_images

            ensure_heldout_images()
        except ImportError:
            pass
    config = load_config()
    if args.llm:
        from agent.llm.factory import parse_llm_spec

        config = config.replace(**parse_llm_spec(args.llm))
    dev = load(Path(args.dev))
    heldout = load(heldout_path) if heldout_path.exists() else []
    part_a = [d for d in dev if half(d["question"]) == "A"]
    part_b = [d for d in dev if half(d["question"]) == "B"]
    counter = CallCounter()
    counter.install()
    results: dict = {"config": f"{config.llm.backend}:{config.llm.model}", "split": {"A": len(part_a), "B": len(part_b)}}
    states = args.states.split(",")
    base_dev, base_held = Path(args.dev).parent, heldout_path.parent

    def reasoner_for(state: str) -> Reasoner:
        memory_dir = tempfile.mkdtemp(prefix=f"bench-memory-{state}-")
        cfg = config.replace(**{"memory.path": memory_dir, "memory.enabled": state != "empty"})
        return Reasoner(cfg)

    first = True
    for state in states:
        print(f"== state {state}", file=sys.stderr)
        r = reasoner_for(state)
        if first:  # warm the models once so that no state pays the load
            started = time.perf_counter()
            r.ask("How many dogs are in the picture?", [str(base_dev / "images" / "bus.jpg")])
            results["first_question_in_process_s"] = time.perf_counter() - started
            first = False
        out: dict = {}
        if state == "learned":
            print("  learning on half A", file=sys.stderr)
            learn_rows = run(r, part_a, base_dev, counter, learn=True)
            out["learned_templates"] = sum(1 for x in learn_rows if x["learned"])
            out["dev_B"] = run(r, part_b, base_dev, counter)
        else:
            out["dev_all"] = run(r, dev, base_dev, counter)
            b_ids = {d["id"] for d in part_b}
            out["dev_B"] = [x for x in out["dev_all"] if x["id"] in b_ids]
        if heldout and state in args.heldout_in.split(","):
            out["heldout"] = run(r, heldout, base_held, counter)
        results[state] = {"summary": {k: summary(v) for k, v in out.items() if isinstance(v, list)},
                          **{k: v for k, v in out.items() if not isinstance(v, list)}, "rows": out}
    results["peak_rss_gb_in_process"] = peak_rss_gb()
    results["cold_start_s"] = cold_start(config.llm.model, base_dev / "images" / "bus.jpg")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))
    print(markdown(results))
    return 0


def markdown(res: dict) -> str:
    lines = [f"### program memory bench ({res['config']})", "",
             f"Dev split by question hash: A={res['split']['A']} questions (learn), B={res['split']['B']} (evaluate).", "",
             "| state | set | n | accuracy | p50 s | p95 s | LLM calls / q | planned from memory |",
             "|---|---|---|---|---|---|---|---|"]
    for state in ("empty", "seeds", "learned"):
        for name, s in res.get(state, {}).get("summary", {}).items():
            if s:
                lines.append(f"| {state} | {name} | {s['n']} | {s['accuracy']:.1%} | {s['p50_s']:.2f} | {s['p95_s']:.2f} "
                             f"| {s['llm_calls_per_q']:.2f} | {s['from_memory']:.0%} |")
    lines += ["", f"- cold start (process start to first answer, `visreason ask`): {res['cold_start_s']:.1f} s",
              f"- peak RSS of the bench process: {res['peak_rss_gb_in_process']:.2f} GB"]
    if "learned" in res:
        lines.append(f"- templates learned from half A: {res['learned'].get('learned_templates', 0)}")
    for state in ("seeds", "learned"):
        s = res.get(state, {}).get("summary", {})
        key = "dev_all" if "dev_all" in s else "dev_B"
        if s.get(key):
            lines.append(f"- {state} / {key} by type: " + ", ".join(f"{k} {v:.0%}" for k, v in s[key]["by_type"].items()))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
