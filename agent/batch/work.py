"""What every engine shares: building a reasoner, running one task into a record, ordering the work.

Ordering: items asking about the same image(s) form a group, and a worker keeps a group
until it is done, so the first question on an image fills the tool cache (detections, OCR,
...) and the next ones hit it. At the tail, an idle worker takes items from another
worker's unfinished group rather than waiting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from agent.errors import ImageError, InputError, VisreasonError
from agent.plugins import load_callable

log = logging.getLogger(__name__)

DEFAULT_REASONER_FACTORY = "agent.reasoner:Reasoner"

ReasonerFactory = Callable[[Any], Any]  # config -> object with .ask(question, images, kb=None)


def resolve_factory(spec: str | ReasonerFactory) -> ReasonerFactory:
    """A callable, or an import path ``"package.module:attribute"`` naming one (``agent.plugins``)."""
    return load_callable(spec, "reasoner factory")


AUX_SEQUENCES = 2  # KV sequences the decide/refine prompts keep warm besides the planners


def batch_config(config: Any, workers: int) -> Any:
    """``config`` with enough KV sequences (``llm.sequences``) for ``workers`` threads to generate at
    once, plus the decide/refine prompts': concurrent calls are decoded together (``llm.llama_dispatch``),
    one sequence each. A speed-only key (``fingerprint.SPEED_ONLY``): answers do not change."""
    llm = getattr(config, "llm", None)
    wanted = max(1, int(workers)) + AUX_SEQUENCES
    if llm is None or getattr(llm, "sequences", wanted) >= wanted or not callable(getattr(config, "replace", None)):
        return config
    return config.replace(**{"llm.sequences": wanted})


def build_reasoner(factory: str | ReasonerFactory, config: Any) -> Any:
    """Build a reasoner and load its models now, if it can (``warm_up()``): before worker threads
    share it (no two threads racing to load a model) and before the progress clock starts."""
    reasoner = resolve_factory(factory)(config)
    warm_up = getattr(reasoner, "warm_up", None)
    if callable(warm_up):
        warm_up()
    return reasoner


def error_record(item_id: str, error: dict, latency_s: float = 0.0, *, include_steps: bool = False,
                 line: int | None = None, input_hash: str = "") -> dict:
    record = {"id": item_id, "answer": None, "explanation": "", "program": "", "error": error,
              "latency_s": round(latency_s, 3), "input_line": line, "input_hash": input_hash}
    if include_steps:
        record["steps"] = []
    return record


def _error_dict(exc: VisreasonError, line: int | None) -> dict:
    error = exc.to_dict()
    if isinstance(exc, (ImageError, InputError)) and error.get("line") is None:
        error["line"] = line  # a bad image or input is a problem of this input line (a ProgramError's is the program's)
    return error


def run_task(reasoner: Any, task: dict, *, include_steps: bool = False, default_kb: str | None = None) -> dict:
    """Ask one question; any failure becomes the record's ``error`` instead of propagating."""
    start = time.perf_counter()
    images = task["images"]
    if isinstance(images, str):
        images = [images]
    where = {"line": task.get("line"), "input_hash": task.get("input_hash", "")}
    try:
        answer = reasoner.ask(task["question"], images, kb=task.get("kb") or default_kb)
    except VisreasonError as exc:
        return error_record(task["id"], _error_dict(exc, where["line"]), time.perf_counter() - start,
                            include_steps=include_steps, **where)
    except Exception as exc:  # noqa: BLE001 - one bad item must never abort the batch
        log.exception("item %s failed unexpectedly", task["id"])
        error = {"type": type(exc).__name__, "message": str(exc) or repr(exc), "line": None,
                 "hint": "an unexpected internal error; the log has the traceback"}
        return error_record(task["id"], error, time.perf_counter() - start, include_steps=include_steps, **where)
    record = {
        "id": task["id"],
        "answer": getattr(answer, "answer", None),
        "explanation": getattr(answer, "explanation", ""),
        "program": getattr(answer, "program", ""),
        "plan_kind": getattr(answer, "plan_kind", ""),  # program | cot | fallback: only "program" is learnable
        "planned_by": getattr(answer, "planned_by", {}),  # memory | llm | cache
        "error": None,
        "latency_s": round(time.perf_counter() - start, 3),
        "input_line": where["line"],  # where the item is in the input file
        "input_hash": where["input_hash"],  # what it answered (see fingerprint.py): resume redoes it if changed
    }
    if include_steps:
        record["steps"] = list(getattr(answer, "steps", []) or [])
    return record


def group_tasks(items: Iterable[Any]) -> list[list[dict]]:
    """Tasks grouped by image key, groups in order of first appearance, items in input order."""
    groups: dict[tuple, list[dict]] = {}
    for item in items:
        groups.setdefault(item.image_key(), []).append(item.to_task())
    return list(groups.values())


class GroupScheduler:
    """Hands out tasks so each worker works through one image group at a time; thread-safe."""

    def __init__(self, groups: Iterable[list[dict]]) -> None:
        self._pending: deque[deque[dict]] = deque(deque(g) for g in groups if g)
        self._current: dict[Any, deque[dict]] = {}
        self._warm: set[Any] = set()  # workers that finished an item of their current group
        self._lock = threading.Lock()

    def next_for(self, worker: Any) -> dict | None:
        """The next task for ``worker`` (which has finished its previous one), or None: no work for it."""
        with self._lock:
            group = self._current.get(worker)
            if group is not None:
                self._warm.add(worker)
            if group:
                return group.popleft()
            if self._pending:
                group = self._pending.popleft()
                self._current[worker] = group
                self._warm.discard(worker)
                return group.popleft()
            # Tail: take from the end of the longest group whose image is already in the cache
            # (its owner finished one item), so the thief neither idles nor recomputes the tools.
            donors = [g for w, g in self._current.items() if w in self._warm and g]
            if donors:
                return max(donors, key=len).pop()
            return None

    def remaining(self) -> int:
        with self._lock:
            return sum(len(g) for g in self._pending) + sum(len(g) for g in self._current.values())
