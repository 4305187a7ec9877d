"""Prompt-lookup decoding from the memory's draft: is it faster here? (issue 10, "keep it only if it measures faster")

The planner's prompt holds few-shot programs and, when the program memory has a near template, that
template filled in as a draft. Prompt-lookup decoding (llama-cpp-python's ``LlamaPromptLookupDecoding``)
proposes the next tokens by finding the last n-gram earlier in the prompt, and checks them all in one
batched forward pass: on a GPU that is nearly free; on two CPU cores a batch of k tokens costs more than
one token, so the accepted share decides.

For the first ``--n`` dev-set questions this builds the planner's real messages (the same example
selection and draft as ``agent/nodes_program.py``), then writes each program greedily with the same
model twice, without and with prompt lookup, prompt already cached (decoding is measured alone), in
alternating order so that load on the cores hits both sides alike. Greedy decoding must give the same
text both ways; the report says how often it did.

    .venv/bin/python benchmarks/bench_draft.py [--model qwen2.5-coder-1.5b] [--n 12] [--pred 10] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def planner_requests(model: str, n: int) -> list[dict]:
    """The planner's messages for the first ``n`` dev questions, with the memory's draft where it has one."""
    from agent.config import load_config
    from agent.prompting import plan_messages
    from agent.reasoner import Reasoner, name_images

    cfg = load_config(None, {"llm.backend": "gguf", "llm.model": model})
    reasoner = Reasoner(cfg, llm=_NoLLM())
    reasoner.graph  # noqa: B018 - builds the selector, registry and memory (no LLM call)
    deps = reasoner._deps
    rows = [json.loads(line) for line in (ROOT / "benchmarks" / "dev.jsonl").read_text().splitlines() if line.strip()]
    out = []
    for row in rows[:n]:
        images = row.get("images") or [row["image"]]
        names = list(name_images(images))
        match = deps.memory.lookup(row["question"], names) if deps.memory is not None else None
        draft = match.program if match is not None else None
        examples = deps.selector.select(row["question"], k=deps.n_examples, n_images=len(images))
        messages = plan_messages(row["question"], examples, deps.registry.prompt_docs(), names, draft=draft)
        out.append({"question": row["question"], "messages": messages, "draft": bool(draft),
                    "memory_plans_it": bool(match is not None and match.confident)})
    return out


class _NoLLM:
    """Stands in for the LLM while the planner's messages are built; it is never asked to write."""

    def chat(self, *args, **kwargs):
        raise RuntimeError("bench_draft builds prompts only")


def write(llm, messages: list[dict], max_tokens: int) -> tuple[str, int, float]:
    """Greedy completion of a chat; (text, completion tokens, seconds)."""
    started = time.perf_counter()
    out = llm.create_chat_completion(messages=messages, temperature=0.0, top_k=1, max_tokens=max_tokens,
                                     stop=["\n\n\n"])
    seconds = time.perf_counter() - started
    return out["choices"][0]["message"]["content"], out["usage"]["completion_tokens"], seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="GGUF model name (default: %(default)s)")
    parser.add_argument("--n", type=int, default=12, help="dev questions to plan (default: %(default)s)")
    parser.add_argument("--pred", type=int, default=10, help="tokens proposed per lookup (default: %(default)s)")
    parser.add_argument("--ngram", type=int, default=3, help="longest n-gram looked up (default: %(default)s)")
    parser.add_argument("--max-tokens", type=int, default=200, help="cap per program (default: %(default)s)")
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args(argv)

    from llama_cpp import Llama
    from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

    from agent.config import load_config
    from agent.llm.llama_cpp_backend import resolve_gguf_path

    requests = planner_requests(args.model, args.n)
    path = str(resolve_gguf_path(load_config(None, {"llm.backend": "gguf", "llm.model": args.model})))
    common = {"n_ctx": 4096, "n_threads": 2, "n_batch": 512, "verbose": False, "seed": 0}
    plain = Llama(model_path=path, **common)
    lookup = Llama(model_path=path, draft_model=LlamaPromptLookupDecoding(max_ngram_size=args.ngram,
                                                                          num_pred_tokens=args.pred),
                   logits_all=True, **common)  # llama-cpp-python 0.3.36 sizes its score matrix from
    # the logits_all argument, not from the draft model's need: without it the first batch overflows
    rows = []
    for i, req in enumerate(requests):
        timings = {}
        texts = {}
        order = (("plain", plain), ("lookup", lookup)) if i % 2 == 0 else (("lookup", lookup), ("plain", plain))
        for name, llm in order:
            write(llm, req["messages"], 1)  # the prompt into this model's cache: decoding is timed alone
            text, tokens, seconds = write(llm, req["messages"], args.max_tokens)
            timings[name] = (tokens, seconds)
            texts[name] = text
        row = {"question": req["question"], "draft": req["draft"], "memory_plans_it": req["memory_plans_it"],
               "tokens": timings["plain"][0],
               "plain_s": round(timings["plain"][1], 2), "lookup_s": round(timings["lookup"][1], 2),
               "same_text": texts["plain"] == texts["lookup"]}
        rows.append(row)
        print(json.dumps(row), flush=True)
    ratio = [r["plain_s"] / r["lookup_s"] for r in rows if r["lookup_s"] > 0]
    llm_rows = [r for r in rows if not r["memory_plans_it"]]  # the ones the planner really sends to the LLM
    llm_ratio = [r["plain_s"] / r["lookup_s"] for r in llm_rows if r["lookup_s"] > 0]
    summary = {
        "model": args.model, "n": len(rows), "pred": args.pred, "ngram": args.ngram,
        "median_plain_s": statistics.median(r["plain_s"] for r in rows),
        "median_lookup_s": statistics.median(r["lookup_s"] for r in rows),
        "median_speedup": round(statistics.median(ratio), 3),
        "same_text": f"{sum(r['same_text'] for r in rows)}/{len(rows)}",
        "with_draft": sum(r["draft"] for r in rows),
        "llm_planned": len(llm_rows),
        "median_speedup_llm_planned": round(statistics.median(llm_ratio), 3) if llm_ratio else None,
        "same_text_llm_planned": f"{sum(r['same_text'] for r in llm_rows)}/{len(llm_rows)}",
    }
    print(json.dumps(summary))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
