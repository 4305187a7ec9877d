"""One batch run end to end: read the input, resume the output, run an engine, summarise.

Data safety: ``--out`` may not be the input (same path, link or hard link); each record holds
its input's hash, and resume keeps only records whose hash matches the current input (the
others move to ``<out>.superseded.jsonl`` and run again, or ``strict`` refuses).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.batch.fingerprint import InputHasher, reasoner_name, settings_digest
from agent.batch.io import ResultWriter, read_results
from agent.batch.items import BatchItem, InputProblem, read_items
from agent.batch.work import (
    DEFAULT_REASONER_FACTORY,
    ReasonerFactory,
    batch_config,
    build_reasoner,
    error_record,
    group_tasks,
)
from agent.errors import ConfigError, InputError
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
    redone: int = 0  # finished ids whose input had changed: their old records moved to ``superseded``
    superseded: str = ""
    failures: list[tuple[str, str]] = field(default_factory=list)  # (id, reason) of every failed record

    SHOWN_FAILURES = 20

    def to_dict(self) -> dict:
        return {"out": self.out, "total": self.total, "ran": self.ran, "skipped": self.skipped,
                "done": self.succeeded + self.failed, "succeeded": self.succeeded, "failed": self.failed,
                "redone": self.redone, "superseded": self.superseded or None,
                "seconds": round(self.seconds, 3), "score": self.score.to_dict() if self.score else None,
                "failures": [{"id": i, "reason": r} for i, r in self.failures]}

    def format(self) -> str:
        text = (f"done {self.succeeded + self.failed}/{self.total} ({self.failed} failed), "
                f"ran {self.ran}, skipped {self.skipped} already done, {self.seconds:.1f}s -> {self.out}")
        if self.redone:
            text += f"\nredone {self.redone} whose input changed (their old records: {self.superseded})"
        if self.score is not None and self.score.total:
            text += "\n" + self.score.format()
        if self.failures:
            text += f"\nfailed ({len(self.failures)}):"
            for item_id, reason in self.failures[: self.SHOWN_FAILURES]:
                text += f"\n  {item_id}: {reason}"
            if len(self.failures) > self.SHOWN_FAILURES:
                text += f"\n  ... and {len(self.failures) - self.SHOWN_FAILURES} more (see the records' \"error\" in {self.out})"
        return text

    @property
    def all_failed(self) -> bool:
        return self.failed > 0 and self.succeeded == 0


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
    strict: bool = False,
    kb: str | Path | None = None,
    image_root: str | Path | None = None,
    include_steps: bool = False,
    progress: bool = True,
    address: str | None = None,
) -> BatchSummary:
    """Answer every line of ``input_path`` into ``out_path``; see ``visreason batch --help``.

    ``reasoner`` (local engine only) reuses an existing reasoner instead of building one
    with ``reasoner_factory(config)``. ``strict``: on resume, refuse (``InputError``) if any
    finished record answered a different input, instead of redoing it.
    """
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if strict and not resume:
        raise InputError("--strict only applies with --resume")
    refuse_same_file(input_path, out_path)
    if config is None:
        from agent.config import load_config

        config = load_config(None, {})
    start = time.perf_counter()
    items, problems = read_items(input_path, image_root=image_root)
    default_kb = str(Path(kb).expanduser().resolve()) if kb else None
    ran = 0
    with ResultWriter(out_path, resume=resume, overwrite=overwrite) as writer:
        hasher = InputHasher(settings_digest(config, reasoner_name(reasoner, reasoner_factory)), default_kb,
                             config.images.max_bytes)
        for item in items:
            item.input_hash = hasher.item(item)
        redone = _drop_changed(writer, items, problems, strict=strict)
        skipped = len(writer.done_ids & ({i.id for i in items} | {p.id for p in problems}))
        # Unusable lines are recorded first: they cost nothing and must not wait for model loading.
        for problem in problems:
            if problem.id not in writer.done:
                writer.write(error_record(problem.id, problem.error.to_dict(), include_steps=include_steps,
                                          line=problem.line, input_hash=problem.input_hash))
                ran += 1
        todo = [item for item in items if item.id not in writer.done]
        if todo:
            # The bar counts the unusable lines just recorded too, so that it ends where the summary does.
            ran += _run_engine(todo, writer, config=config, reasoner_factory=reasoner_factory, reasoner=reasoner,
                               engine=engine, workers=workers, include_steps=include_steps, default_kb=default_kb,
                               progress=progress, address=address, already=ran)
        superseded = str(writer.superseded_path) if redone else ""
    summary = _summarise(out_path, items, [p.id for p in problems], ran, skipped, time.perf_counter() - start)
    summary.redone, summary.superseded = redone, superseded
    return summary


def refuse_same_file(input_path: str | Path, out_path: str | Path) -> None:
    """``InputError`` if ``out_path`` is the input file itself (same path, a symlink or a hard link to it)."""
    try:
        same = os.path.samefile(input_path, out_path)
    except OSError:
        return  # one of them does not exist (yet): not the same file
    if same:
        how = "" if os.path.abspath(input_path) == os.path.abspath(out_path) else " (a link to it)"
        raise InputError(f"{out_path}: --out is the input file {input_path}{how}; refusing before writing anything",
                         hint="write the results to another file")


def _drop_changed(writer: ResultWriter, items: list[BatchItem], problems: list[InputProblem], *, strict: bool) -> int:
    """Finished ids whose record answered another input: refuse (strict) or move them aside to be redone."""
    current = {i.id: (i.input_hash, i.line) for i in items} | {p.id: (p.input_hash, p.line) for p in problems}
    changed = sorted(i for i, (h, _) in current.items() if i in writer.done and writer.done[i].input_hash != h)
    if not changed:
        return 0
    if strict:
        shown = ", ".join(f"{i!r} (input line {current[i][1]}, result line {writer.done[i].line})"
                          for i in changed[:5])
        raise InputError(f"{writer.path}: {len(changed)} finished record(s) answered a different input than "
                         f"{'is' if len(changed) == 1 else 'are'} now given: {shown}"
                         f"{', ...' if len(changed) > 5 else ''}; --strict refuses to resume",
                         hint="without --strict they are run again (old records kept in "
                              f"{writer.superseded_path}); or write to another --out")
    writer.supersede(set(changed))
    return len(changed)


def _run_engine(todo: list[BatchItem], writer: ResultWriter, *, config: Any, reasoner_factory: Any, reasoner: Any,
                engine: str, workers: int, include_steps: bool, default_kb: str | None, progress: bool,
                address: str | None, already: int = 0) -> int:
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

    if engine == "local" and reasoner is None:  # worker threads share its LLM: one KV sequence each
        reasoner = build_reasoner(reasoner_factory, batch_config(config, workers))
    bar = tqdm(total=len(todo) + already, initial=already, file=sys.stderr, unit="item", disable=not progress,
               dynamic_ncols=True, desc="batch", smoothing=0.1)
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
    failures = [(str(r.get("id")), _reason(r["error"])) for r in mine if r.get("error") is not None]
    gold = [_gold(i) for i in items if i.answer is not None]
    report = score({i: records[i].get("answer") for i in ids if i in records}, gold) if gold else None
    return BatchSummary(out=str(out_path), total=len(ids), ran=ran, skipped=skipped,
                        succeeded=len(mine) - failed, failed=failed, seconds=seconds, score=report, failures=failures)


def _reason(error: Any) -> str:
    """One line naming what went wrong with an item: its error type and message (and input line)."""
    if not isinstance(error, dict):
        return str(error)[:200]
    where = f" (line {error['line']})" if error.get("line") else ""
    return f"{error.get('type') or 'Error'}{where}: {str(error.get('message') or '')[:160]}"
