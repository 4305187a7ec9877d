"""FAISS index benchmark: build time, memory, recall@10 vs exact search, query latency.

Two sets: N random 384-d unit vectors (the hard, structureless case) and a few thousand real
sentences (docstrings of installed Python packages) embedded with the offline MiniLM. For each,
IndexFlatIP (exact), HNSW (M x efSearch sweep) and IVF-Flat (nprobe sweep) are measured with
one query per call, as the KB issues them. Prints a markdown table, writes JSON.

    python benchmarks/bench_retrieval.py --n 200000        # make bench-retrieval runs the default 1M
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def random_set(n: int, dim: int, n_queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = np.empty((n, dim), np.float32)
    for start in range(0, n, 100_000):  # chunked to keep peak memory near the final array
        stop = min(n, start + 100_000)
        base[start:stop] = unit(rng.standard_normal((stop - start, dim), dtype=np.float32))
    return base, unit(rng.standard_normal((n_queries, dim), dtype=np.float32))


def docstring_sentences(limit: int) -> list[str]:
    """Sentences from docstrings of installed packages: real English text, no download."""
    import site

    seen: set[str] = set()
    out: list[str] = []
    roots = [Path(p) for p in site.getsitepackages()]
    for root in roots:
        for path in sorted(root.glob("*/**/*.py"))[:20000]:
            try:
                tree = ast.parse(path.read_text(encoding="utf-8", errors="ignore"))
            except (SyntaxError, ValueError, OSError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module, ast.AsyncFunctionDef)):
                    doc = ast.get_docstring(node) or ""
                    for sent in doc.replace("\n", " ").split(". "):
                        sent = " ".join(sent.split())
                        if 6 <= len(sent.split()) <= 40 and sent not in seen:
                            seen.add(sent)
                            out.append(sent)
                            if len(out) >= limit:
                                return out
    return out


def latency(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, float, float]:
    ids = np.empty((len(queries), k), np.int64)
    times = []
    for i, q in enumerate(queries):
        t = time.perf_counter()
        _, found = index.search(q[None, :], k)
        times.append((time.perf_counter() - t) * 1000)
        ids[i] = found[0]
    return ids, float(np.percentile(times, 50)), float(np.percentile(times, 95))


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)]))


def run_set(name: str, base: np.ndarray, queries: np.ndarray, args) -> list[dict]:
    import faiss

    n, dim = base.shape
    k = 10
    rows: list[dict] = []

    def measure(kind: str, params: dict, build, sweep: list[tuple[dict, callable]]):
        before = rss_mb()
        t0 = time.perf_counter()
        index = build()
        build_s = time.perf_counter() - t0
        mem = rss_mb() - before
        for extra, setter in sweep:
            setter(index)
            found, p50, p95 = latency(index, queries, k)
            row = {"set": name, "n": n, "index": kind, **params, **extra, "build_s": round(build_s, 2),
                   "rss_delta_mb": round(mem, 1), "recall@10": round(recall(found, truth), 4),
                   "p50_ms": round(p50, 3), "p95_ms": round(p95, 3)}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        del index

    def flat():
        index = faiss.IndexFlatIP(dim)
        index.add(base)
        return index

    exact = flat()
    _, truth = exact.search(queries, k)
    del exact
    measure("flat", {}, flat, [({}, lambda i: None)])
    for m in args.hnsw_m:
        def hnsw(m=m):
            index = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = args.ef_construction
            index.add(base)
            return index

        measure("hnsw", {"M": m, "efConstruction": args.ef_construction}, hnsw,
                [({"efSearch": ef}, lambda i, ef=ef: setattr(i.hnsw, "efSearch", ef)) for ef in args.ef_search])
    nlist = args.nlist or max(16, int(4 * np.sqrt(n)))

    def ivf():
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = base[np.random.default_rng(1).choice(n, min(n, 40 * nlist), replace=False)]
        index.train(sample)
        index.add(base)
        return index

    measure("ivf", {"nlist": nlist}, ivf,
            [({"nprobe": p}, lambda i, p=p: setattr(i, "nprobe", p)) for p in args.nprobe if p <= nlist])
    return rows


def markdown(rows: list[dict]) -> str:
    head = "| set | n | index | params | build s | RSS Δ MB | recall@10 | p50 ms | p95 ms |"
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        params = ", ".join(f"{k}={r[k]}" for k in ("M", "efConstruction", "efSearch", "nlist", "nprobe") if k in r)
        lines.append(f"| {r['set']} | {r['n']} | {r['index']} | {params or '-'} | {r['build_s']} | "
                     f"{r['rss_delta_mb']} | {r['recall@10']:.3f} | {r['p50_ms']:.3f} | {r['p95_ms']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000, help="random vectors (default 1M)")
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--real", type=int, default=3000, help="real sentences (0 = skip the MiniLM set)")
    p.add_argument("--hnsw-m", type=int, nargs="+", default=[16],
                   help="HNSW M values (each 1M build takes ~10 min on 2 cores)")
    p.add_argument("--ef-construction", type=int, default=80)
    p.add_argument("--ef-search", type=int, nargs="+", default=[16, 32, 64, 128, 256, 512])
    p.add_argument("--nlist", type=int, default=0, help="IVF lists (default 4*sqrt(n))")
    p.add_argument("--nprobe", type=int, nargs="+", default=[1, 4, 16, 64, 128, 256])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default="bench-results/retrieval.json")
    args = p.parse_args(argv)
    import faiss

    faiss.omp_set_num_threads(args.threads)
    rows: list[dict] = []
    if args.real:
        from agent.config import Config
        from retrieval.embedders import text_embedder

        sentences = docstring_sentences(args.real + args.queries)
        vecs = text_embedder(Config()).embed_texts(sentences)
        cut = len(vecs) - min(args.queries, len(vecs) // 10)
        rows += run_set("docstrings-minilm", vecs[:cut], vecs[cut:], args)
    base, queries = random_set(args.n, args.dim, args.queries)
    rows += run_set("random-unit", base, queries, args)
    table = markdown(rows)
    print(table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"n": args.n, "dim": args.dim, "queries": args.queries, "threads": args.threads, "cpus": os.cpu_count(),
            "faiss": faiss.__version__, "note": "latency is one query per search call"}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
