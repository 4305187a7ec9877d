"""The embedded LLM runtime: memory, prefix states on disk, and decoding with/without a grammar (issue 10).

    .venv/bin/python benchmarks/bench_llm.py rss [--model qwen2.5-coder-1.5b] [--memory off]
    .venv/bin/python benchmarks/bench_llm.py decode [--model ...] [--n 12] [--repeat 1]
    .venv/bin/python benchmarks/bench_llm.py prefix [--model ...]
    .venv/bin/python benchmarks/bench_llm.py ubatch [--model ...]
    .venv/bin/python benchmarks/bench_llm.py all      # each part in its own process, for clean peaks

rss     A Reasoner answers 3 dev questions of three families; peak RSS (VmHWM) and its split.
decode  Dev-set planner prompts, prefix warm, one program each in grammar modes none / full / lazy:
        median decode tokens/s, median seconds per program, and how many programs parse and pass
        the registry's checks. Greedy decoding: full and lazy must write the same programs.
prefix  A few-shot prefix: evaluated from scratch vs. loaded from its saved KV state; file size.
ubatch  Prompt reading speed and peak RSS for several llm.n_ubatch values.

Speed figures are wall time on whatever cores are free: rerun on a quiet machine before quoting.
RSS figures do not depend on load.
"""

from __future__ import annotations

import argparse
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

RSS_QUESTIONS = [
    ("images/bus.jpg", "How many people are in the image?"),
    ("images/bus.jpg", "What color is the bus?"),
    ("images/zidane.jpg", "Are there more ties than people?"),
]


def mem_status() -> dict[str, int]:
    """VmHWM (peak), VmRSS, RssAnon, RssFile of this process, in MiB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0]) // 1024
    return out


def config_for(model: str, home: str | None = None, **overrides):
    from agent.config import load_config

    base = {"llm.backend": "gguf", "llm.model": model}
    if home:
        base["home"] = home
    return load_config(None, {**base, **overrides})


def table(rows: list[dict], cols: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) for c in cols), "  ".join("-" * widths[c] for c in cols)]
    lines += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(lines)


# -- rss -------------------------------------------------------------------------------------
def bench_rss(args) -> dict:
    from agent import Reasoner
    from benchmarks.sample_images import ensure_images

    ensure_images()
    cfg = config_for(args.model, **{"memory.enabled": args.memory == "on"})
    reasoner = Reasoner(cfg)
    rows = []
    for image, question in RSS_QUESTIONS:
        started = time.perf_counter()
        answer = reasoner.ask(question, [str(ROOT / "benchmarks" / image)], render_images=False)
        rows.append(
            {
                "question": question,
                "answer": answer.answer,
                "s": round(time.perf_counter() - started, 1),
                "llm_s": answer.timings.get("llm_s"),
                "planned_by": answer.planned_by.get("source", ""),
                **mem_status(),
            }
        )
    print(table(rows, ["question", "answer", "s", "llm_s", "planned_by", "VmHWM", "VmRSS", "RssAnon", "RssFile"]))
    print(f"peak RSS (VmHWM): {mem_status()['VmHWM']} MiB")
    return {"rows": rows, "peak_mib": mem_status()["VmHWM"]}


# -- decode ----------------------------------------------------------------------------------
def planner_prompts(n: int) -> list[tuple[str, list[str], list[dict]]]:
    """(question, image names, planner messages) for the first ``n`` dev-set questions, as the planner builds them."""
    from agent.examples import ExampleSelector, load_examples
    from agent.prompting import plan_messages
    from agent.reasoner import name_images
    from retrieval.embedders import text_embedder
    from tools.catalog import default_registry

    registry = default_registry()
    cfg = config_for("qwen2.5-coder-0.5b")
    selector = ExampleSelector(load_examples(), text_embedder(cfg).embed_texts)
    rows = [json.loads(line) for line in (ROOT / "benchmarks" / "dev.jsonl").read_text().splitlines() if line.strip()]
    out = []
    for row in rows[:n]:
        images = row.get("images") or [row["image"]]
        names = list(name_images(images))
        examples = selector.select(row["question"], k=5, n_images=len(images))
        out.append((row["question"], names, plan_messages(row["question"], examples, registry.prompt_docs(), names)))
    return out


def program_valid(text: str, names: list[str]) -> bool:
    from agent.errors import VisreasonError
    from agent.nodes_program import clean_program
    from agent.program.parser import check_program, parse_program
    from tools.catalog import default_registry

    try:
        check_program(parse_program(clean_program(text)), default_registry(), inputs=names)
        return True
    except VisreasonError:
        return False


def bench_decode(args) -> dict:
    from agent.deps import _grammar
    from agent.llm.llama_cpp_backend import load_gguf, resolve_gguf_path, runtime_settings
    from tools.catalog import default_registry

    with tempfile.TemporaryDirectory() as home:
        cfg = config_for(args.model, home)
        runtime = load_gguf(runtime_settings(cfg, str(resolve_gguf_path(cfg))))
        prompts = planner_prompts(args.n)
        registry = default_registry()
        results: dict[str, list] = {m: [] for m in ("none", "full", "lazy")}
        texts: dict[str, list[str]] = {m: [] for m in results}
        for _question, names, messages in prompts:
            grammar = _grammar(registry, tuple(names))
            tokens, prefix = runtime.render(messages)
            runtime.generate(tokens, prefix, max_tokens=1)  # prompt in the KV cache: decoding is measured alone
            for _ in range(args.repeat):
                for mode in results:
                    out = runtime.generate(
                        tokens, prefix, grammar=grammar, grammar_mode=mode, max_tokens=256, stop=["\n\n\n"]
                    )
                    decode_s = max(1e-9, out.seconds - out.prompt_seconds)
                    results[mode].append(
                        {
                            "tok_s": len(out.tokens) / decode_s,
                            "s": out.seconds,
                            "tokens": len(out.tokens),
                            "valid": program_valid(out.text, names),
                            "full_steps": out.full_grammar_steps,
                        }
                    )
                    texts[mode].append(out.text)
        rows = []
        for mode, runs in results.items():
            rows.append(
                {
                    "mode": mode,
                    "programs": len(runs),
                    "valid": f"{sum(r['valid'] for r in runs)}/{len(runs)}",
                    "median tok/s": round(statistics.median(r["tok_s"] for r in runs), 2),
                    "median s/program": round(statistics.median(r["s"] for r in runs), 2),
                    "median tokens": statistics.median(r["tokens"] for r in runs),
                    "full-vocab grammar steps": sum(r["full_steps"] for r in runs),
                }
            )
        same = sum(a == b for a, b in zip(texts["full"], texts["lazy"], strict=True))
        print(table(rows, list(rows[0])))
        print(
            f"lazy wrote the same program as full in {same}/{len(texts['full'])} cases; "
            f"unconstrained == full in {sum(a == b for a, b in zip(texts['full'], texts['none'], strict=True))}"
            f"/{len(texts['full'])}"
        )
        return {"rows": rows, "lazy_equals_full": same}


# -- prefix ----------------------------------------------------------------------------------
def bench_prefix(args) -> dict:
    from agent.llm.llama_cpp_backend import resolve_gguf_path, runtime_settings
    from agent.llm.llama_runtime import LlamaRuntime

    question, names, messages = planner_prompts(1)[0]
    with tempfile.TemporaryDirectory() as home:
        cfg = config_for(args.model, home)
        settings = runtime_settings(cfg, str(resolve_gguf_path(cfg)))
        runtime = LlamaRuntime(settings)
        tokens, prefix = runtime.render(messages)
        started = time.perf_counter()
        cold = runtime.generate(tokens, prefix, max_tokens=1)
        cold_s = time.perf_counter() - started
        runtime.close()
        runtime = LlamaRuntime(settings)  # a new process would start like this
        started = time.perf_counter()
        warm = runtime.generate(tokens, prefix, max_tokens=1)
        warm_s = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(settings.kv_dir).glob("*.kv"))
        runtime.close()
    row = {
        "prompt tokens": len(tokens),
        "prefix tokens": prefix,
        "evaluate s": round(cold_s, 2),
        "load-from-disk s": round(warm_s, 2),
        "loaded": warm.source,
        "state MiB": round(size / 2**20, 1),
        "same first token": cold.tokens == warm.tokens,
    }
    print(table([row], list(row)))
    return row


# -- ubatch ----------------------------------------------------------------------------------
def bench_ubatch(args) -> dict:
    from agent.llm.llama_cpp_backend import resolve_gguf_path, runtime_settings
    from agent.llm.llama_runtime import LlamaRuntime

    _, _, messages = planner_prompts(1)[0]
    cfg = config_for(args.model, "", **{"llm.n_ubatch": args.n_ubatch, "llm.prefix_cache": False})
    runtime = LlamaRuntime(runtime_settings(cfg, str(resolve_gguf_path(cfg))))
    tokens, _ = runtime.render(messages)
    out = runtime.generate(tokens, 0, max_tokens=1)
    row = {
        "n_ubatch": args.n_ubatch,
        "prompt tokens": len(tokens),
        "prompt tok/s": round(out.evaluated / max(1e-9, out.prompt_seconds), 1),
        **mem_status(),
    }
    print(json.dumps(row))
    return row


def run_all(args) -> None:
    """Each part in a fresh process, so one part's peak does not hide another's."""
    me = [sys.executable, str(Path(__file__).resolve())]
    common = ["--model", args.model]
    for part in (["rss", "--memory", "off"], ["prefix"], ["decode", "--n", str(args.n)]):
        print(f"\n== {' '.join(part)}", flush=True)
        subprocess.run([*me, *part, *common], check=False)
    print("\n== ubatch", flush=True)
    for n in (128, 256, 512):
        subprocess.run([*me, "ubatch", "--n-ubatch", str(n), *common], check=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["rss", "decode", "prefix", "ubatch", "all"])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument(
        "--memory",
        choices=["on", "off"],
        default="off",
        help="rss: program memory on (plans may skip the LLM) or off (the LLM plans every question)",
    )
    parser.add_argument("--n", type=int, default=12, help="decode: dev-set questions")
    parser.add_argument("--repeat", type=int, default=1, help="decode: runs per question and mode")
    parser.add_argument("--n-ubatch", type=int, default=512)
    args = parser.parse_args(argv)
    {"rss": bench_rss, "decode": bench_decode, "prefix": bench_prefix, "ubatch": bench_ubatch, "all": run_all}[
        args.part
    ](args)


if __name__ == "__main__":
    main()
