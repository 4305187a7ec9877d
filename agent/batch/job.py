"""One batch run end to end: read the input, resume the output, run an engine, summarise."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.batch.io import ResultWriter, read_results
from agent.batch.items import BatchItem, read_items
from agent.batch.work import DEFAULT_REASONER_FACTORY, ReasonerFactory, build_reasoner, error_record, group_tasks
from agent.errors import ConfigError
from agent.score import ScoreReport, score

ENGINES = ("local", "ray")


@dataclass
class BatchSummary:
    out: str
    total: int  # ids in the input (runnable items + unusable lines)
    ran: int  # records written by this run
    skipped: int  # ids already in the output (resume)
    succeeded: int  # records in the output without an error
    failed: int  # records in the output with an error
    seconds: float
    score: ScoreReport | None = None  # over items with gold answers

    def to_dict(self) -> dict:
        return {"out": self.out, "total": self.total, "ran": self.ran, "skipped": self.skipped,
                "done": self.succeeded + self.failed, "succeeded": self.succeeded, "failed": self.failed,
                "seconds": round(self.seconds, 3), "score": self.score.to_dict() if self.score else None}

    def format(self) -> str:
        text = (f"done {self.succeeded + self.failed}/{self.total} ({self.failed} failed), "
                f"ran {self.ran}, skipped {self.skipped} already done, {self.seconds:.1f}s -> {self.out}")
        if self.score is not None and self.score.total:
            text += "\n" + self.score.format()
        return text


def _gold(item: BatchItem) -> dict:
    images = item.images if not isinstance(item.images, str) else [item.images]
    return {**item.extra, "id": item.id, "question": item.question, "answer": item.answer, "images": images}


def run_batch(
    input_path: str | Path,
    out_path: str | Path,
    *,
    config: Any = None,
    reasoner_factory: str | ReasonerFactory = DEFAULT_REASONER_FACTORY,
    reasoner: Any = None,
    engine: str = "local",
    workers: int = 2,
    resume: bool = False,
    overwrite: bool = False,
    kb: str | Path | None = None,
    include_steps: bool = False,
    progress: bool = True,
    address: str | None = None,
) -> BatchSummary:
    """Answer every line of ``input_path`` into ``out_path``; see ``visreason batch --help``.

    ``reasoner`` (local engine only) reuses an existing reasoner instead of building one
    with ``reasoner_factory(config)``.
    """
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if config is None:
        from agent.config import load_config

        config = load_config(None, {})
    start = time.perf_counter()
    items, problems = read_items(input_path)
    default_kb = str(Path(kb).expanduser().resolve()) if kb else None
    ran = 0
    with ResultWriter(out_path, resume=resume, overwrite=overwrite) as writer:
        skipped = len(writer.done_ids & ({i.id for i in items} | {p.id for p in problems}))
        # Unusable lines are recorded first: they cost nothing and must not wait for model loading.
        for problem in problems:
            if problem.id not in writer.done_ids:
                writer.write(error_record(problem.id, problem.error.to_dict(), include_steps=include_steps))
                ran += 1
        todo = [item for item in items if item.id not in writer.done_ids]
        if todo:
            ran += _run_engine(todo, writer, config=config, reasoner_factory=reasoner_factory, reasoner=reasoner,
                               engine=engine, workers=workers, include_steps=include_steps, default_kb=default_kb,
                               progress=progress, address=address)
    return _summarise(out_path, items, [p.id for p in problems], ran, skipped, time.perf_counter() - start)


def _run_engine(todo: list[BatchItem], writer: ResultWriter, *, config: Any, reasoner_factory: Any, reasoner: Any,
                engine: str, workers: int, include_steps: bool, default_kb: str | None, progress: bool,
                address: str | None) -> int:
    from tqdm import tqdm

    groups = group_tasks(todo)
    lock = threading.Lock()
    count = {"ran": 0, "failed": 0}
    bar = None

    def on_result(record: dict) -> None:
        writer.write(record)
        with lock:
            count["ran"] += 1
            count["failed"] += record.get("error") is not None
            if bar is not None:
                bar.update(1)
                bar.set_postfix(failed=count["failed"], refresh=False)

    if engine == "local" and reasoner is None:
        reasoner = build_reasoner(reasoner_factory, config)
    bar = tqdm(total=len(todo), file=sys.stderr, unit="item", disable=not progress, dynamic_ncols=True,
               desc="batch", smoothing=0.1)
    try:
        if engine == "local":
            from agent.batch.runner import run_local

            run_local(reasoner, groups, on_result, workers=workers, include_steps=include_steps,
                      default_kb=default_kb)
        else:
            from agent.batch.ray_engine import run_ray

            run_ray(reasoner_factory, config, groups, on_result, workers=workers, include_steps=include_steps,
                    default_kb=default_kb, address=address)
    finally:
        bar.close()
    return count["ran"]


def _summarise(out_path: str | Path, items: list[BatchItem], problem_ids: list[str], ran: int, skipped: int,
               seconds: float) -> BatchSummary:
    records = read_results(out_path)
    ids = [i.id for i in items] + problem_ids
    mine = [records[i] for i in ids if i in records]
    failed = sum(1 for r in mine if r.get("error") is not None)
    gold = [_gold(i) for i in items if i.answer is not None]
    report = score({i: records[i].get("answer") for i in ids if i in records}, gold) if gold else None
    return BatchSummary(out=str(out_path), total=len(ids), ran=ran, skipped=skipped,
                        succeeded=len(mine) - failed, failed=failed, seconds=seconds, score=report)
