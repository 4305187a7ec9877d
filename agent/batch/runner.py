"""Local engine: one reasoner shared by N worker threads.

Why threads on one reasoner: models load once per process, the LLM backend serialises its own
generation, and tool work (detector, OCR: native code that releases the GIL) overlaps with
it. The shared reasoner's tool cache makes repeated questions on an image cheap; the
scheduler keeps those questions together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from agent.batch.work import GroupScheduler, run_task


def run_local(
    reasoner: Any,
    groups: list[list[dict]],
    on_result: Callable[[dict], None],
    *,
    workers: int = 2,
    include_steps: bool = False,
    default_kb: str | None = None,
) -> None:
    """Run every task, calling ``on_result(record)`` (from worker threads) as each finishes.

    Returns when all tasks are done. An exception from ``on_result`` (e.g. the disk is full)
    stops the workers and is re-raised here; so is Ctrl-C, after which the records already
    handed to ``on_result`` are all that was done.
    """
    scheduler = GroupScheduler(groups)
    stop = threading.Event()
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        while not stop.is_set():
            task = scheduler.next_for(index)
            if task is None:
                return
            record = run_task(reasoner, task, include_steps=include_steps, default_kb=default_kb)
            try:
                on_result(record)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                failures.append(exc)
                stop.set()
                return

    # Daemon threads: on Ctrl-C the process may exit without waiting for an item in progress.
    threads = [threading.Thread(target=worker, args=(i,), name=f"batch-worker-{i}", daemon=True)
               for i in range(max(1, int(workers)))]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.2)
    except KeyboardInterrupt:
        stop.set()
        raise
    if failures:
        raise failures[0]
