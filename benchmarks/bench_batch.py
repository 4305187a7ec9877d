"""Throughput of `visreason batch` against a naive loop, on a JSONL dev set.

Naive: ``reasoner.ask`` one item after another, the tool cache emptied before each item
(what a user gets calling the API in a loop with fresh state). Batch: the batch engine with
N worker threads sharing one reasoner and its cache, items grouped by image. Model loading
is excluded from both (the reasoner is built once, up front).

    .venv/bin/python benchmarks/bench_batch.py DEV.jsonl [--workers 2] [--limit N] [--json]
        [--reasoner-factory module:callable] [--no-memory]

Both sides share the reasoner and its LLM runtime, built with one KV sequence per worker
(``agent.batch.work.batch_config``), so the batch side's concurrent LLM calls are decoded together.
``--no-memory`` turns the program memory off on both sides, so the LLM plans every question.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.batch import build_reasoner, read_items, resolve_factory, run_batch, run_task  # noqa: E402
from agent.batch.work import DEFAULT_REASONER_FACTORY, batch_config  # noqa: E402
from agent.score import score  # noqa: E402

_CACHE_PATHS = (("cache",), ("ctx", "cache"), ("context", "cache"), ("tool_context", "cache"))


def _find_cache(reasoner: Any) -> Any:
    if callable(getattr(reasoner, "clear_caches", None)):  # the Reasoner: tool results and reused programs
        return SimpleNamespace(clear=reasoner.clear_caches)
    for path in _CACHE_PATHS:
        obj = reasoner
        for attr in path:
            obj = getattr(obj, attr, None)
        if obj is not None and callable(getattr(obj, "clear", None)):
            return obj
    return None


def measure(dev_set: str | Path, *, reasoner_factory: Any = DEFAULT_REASONER_FACTORY, config: Any = None,
            workers: int = 2, limit: int | None = None, memory: bool = True) -> dict:
    """Time both ways on the same items; returns seconds, items/s, accuracy and the speed-up ratio."""
    if config is None:
        from agent.config import load_config

        config = load_config(None, {})
    if not memory:
        config = config.replace(**{"memory.enabled": False})
    config = batch_config(config, workers)
    items, _ = read_items(dev_set)
    items = items[:limit] if limit else items
    reasoner = build_reasoner(reasoner_factory, config)  # models load here, outside both timings
    cache = _find_cache(reasoner)
    factory = resolve_factory(reasoner_factory)
    gold = [{"id": i.id, "question": i.question, "answer": i.answer, **i.extra} for i in items if i.answer is not None]

    stats0 = _dispatch_stats(reasoner)
    start = time.perf_counter()
    naive_answers = {}
    for item in items:
        if cache is not None:
            cache.clear()
            naive_reasoner = reasoner
        else:  # no reachable cache: a fresh reasoner is the only way to start cold
            naive_reasoner = factory(config)
        record = run_task(naive_reasoner, item.to_task())
        naive_answers[item.id] = record["answer"]
    naive_s = time.perf_counter() - start

    stats1 = _dispatch_stats(reasoner)
    if cache is not None:
        cache.clear()
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "dev.jsonl"  # resolved paths, so the subset can live anywhere
        subset.write_text("".join(json.dumps({"id": i.id, "images": i.images, "question": i.question,
                                              **({"kb": i.kb} if i.kb else {})}) + "\n" for i in items))
        start = time.perf_counter()
        run_batch(subset, Path(tmp) / "out.jsonl", config=config, reasoner=reasoner, workers=workers, progress=False)
        batch_s = time.perf_counter() - start
        from agent.batch import read_results

        batch_answers = {rid: rec["answer"] for rid, rec in read_results(Path(tmp) / "out.jsonl").items()}
    stats2 = _dispatch_stats(reasoner)
    n = len(items)
    naive_acc = score(naive_answers, gold).accuracy if gold else None
    batch_acc = score(batch_answers, gold).accuracy if gold else None
    return {
        "items": n, "workers": workers, "cache_reset": "cleared" if cache is not None else "new reasoner per item",
        "naive_s": round(naive_s, 3), "batch_s": round(batch_s, 3),
        "naive_items_per_s": round(n / naive_s, 3) if naive_s else None,
        "batch_items_per_s": round(n / batch_s, 3) if batch_s else None,
        "speedup": round(naive_s / batch_s, 2) if batch_s else None,
        "naive_accuracy": naive_acc, "batch_accuracy": batch_acc,
        "memory": bool(getattr(getattr(config, "memory", None), "enabled", memory)),
        "llm_sequences": getattr(getattr(config, "llm", None), "sequences", None),
        "naive_llm_decoding": _delta(stats0, stats1), "batch_llm_decoding": _delta(stats1, stats2),
    }


def _delta(before: dict | None, after: dict | None) -> dict | None:
    if before is None or after is None:
        return None
    return {k: after[k] - before[k] for k in after if k != "max_together"} | {"max_together": after["max_together"]}


def _dispatch_stats(reasoner: Any) -> dict | None:
    """How many LLM calls were decoded together with another (the embedded llama.cpp backend only)."""
    runtime = getattr(getattr(reasoner, "llm", None), "_loaded", None)
    if runtime is None:
        return None
    from dataclasses import asdict

    from agent.llm.llama_dispatch import dispatcher_for

    return asdict(dispatcher_for(runtime).stats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dev_set", help="JSONL dev set (the `visreason batch` input format)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="only the first N items")
    parser.add_argument("--reasoner-factory", default=DEFAULT_REASONER_FACTORY, help="module:callable(config)")
    parser.add_argument("--no-memory", action="store_true", help="program memory off on both sides: the LLM plans")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.dev_set, reasoner_factory=args.reasoner_factory, workers=args.workers, limit=args.limit,
                     memory=not args.no_memory)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['items']} items: naive {result['naive_s']:.2f}s ({result['naive_items_per_s']} items/s), "
              f"batch x{result['workers']} {result['batch_s']:.2f}s ({result['batch_items_per_s']} items/s): "
              f"speed-up {result['speedup']}x; accuracy naive {result['naive_accuracy']} "
              f"batch {result['batch_accuracy']} (cache reset: {result['cache_reset']}; memory {result['memory']}; "
              f"batch LLM decoding {result['batch_llm_decoding']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
