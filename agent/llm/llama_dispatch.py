"""Concurrent callers of one ``LlamaRuntime`` decoded together, transparently.

Batch workers (and app users) call ``chat`` from several threads. Run one after another, each
generation reads all the weights once per token for a single sequence; decoded together, one
``llama_decode`` per step serves every waiting caller (``llama_batch.Batch``), which costs little
more than serving one on a CPU. So every call is handed to one dispatcher thread per runtime:

* a caller queues its request and waits for its own result (or error);
* the dispatcher admits queued requests while the runtime has free KV sequences (a request that
  arrives while others are generating joins them at the next step), then runs one step for all;
* after being idle it waits ``window_s`` before admitting, so callers arriving together start
  together.

Greedy text is the same as ``LlamaRuntime.generate`` for each call alone (each sequence attends
only to its own cells). ``stats`` counts how many calls shared a decode step with another.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field

from agent.llm.llama_batch import Batch, Request, result
from agent.llm.llama_runtime import Generation, LlamaRuntime


@dataclass
class DispatchStats:
    calls: int = 0  # requests finished (or failed)
    shared_calls: int = 0  # of which took part in at least one step with another request
    steps: int = 0  # llama_decode calls for generated tokens
    shared_steps: int = 0  # of which decoded more than one request
    max_together: int = 0  # the most requests decoded in one step


@dataclass
class _Ticket:
    req: Request
    done: threading.Event = field(default_factory=threading.Event)
    generation: Generation | None = None
    error: BaseException | None = None
    shared: bool = False


class Dispatcher:
    """One thread that decodes every caller's request on ``rt``; ``generate`` is thread-safe."""

    def __init__(self, rt: LlamaRuntime, window_s: float = 0.002) -> None:
        self.rt = rt
        self.window_s = window_s
        self.stats = DispatchStats()
        self._batch = Batch(rt)
        self._queue: deque[_Ticket] = deque()
        self._owners: dict[int, _Ticket] = {}  # id(run) -> its caller's ticket
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None

    def generate(self, tokens: list[int], prefix_len: int = 0, **kw) -> Generation:
        """``LlamaRuntime.generate``'s arguments and result; decoded alongside other threads' calls."""
        ticket = _Ticket(Request(list(tokens), prefix_len, **kw))
        with self._cv:
            self._queue.append(ticket)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="llama-dispatch", daemon=True)
                self._thread.start()
            self._cv.notify()
        ticket.done.wait()
        if ticket.error is not None:
            raise ticket.error
        assert ticket.generation is not None
        return ticket.generation

    # -- the dispatcher thread -------------------------------------------------------------
    def _loop(self) -> None:
        try:
            while True:
                with self._cv:
                    while not self._queue and not self._batch.active:
                        self._cv.wait()
                    idle = not self._batch.active
                if idle and self.window_s > 0:
                    time.sleep(self.window_s)  # callers arriving together start together
                self._admit()
                self._step()
        except BaseException as exc:  # noqa: BLE001 - every waiting caller gets it; the next call restarts the loop
            self._batch.abort()
            self._fail_all(exc)
            raise

    def _admit(self) -> None:
        while self._batch.free() > 0:
            with self._cv:
                if not self._queue:
                    return
                ticket = self._queue.popleft()
            try:
                run = self._batch.admit(ticket.req)
            except Exception as exc:  # noqa: BLE001 - this caller's request failed (bad grammar, too long...)
                self._finish(ticket, error=exc)
                continue
            if run.done:
                self._finish(ticket, generation=result(run))
            else:
                self._owners[id(run)] = ticket

    def _step(self) -> None:
        active = self._batch.active
        if not active:
            return
        if len(active) > 1:
            for run in active:
                self._owners[id(run)].shared = True
        self.stats.max_together = max(self.stats.max_together, len(active))
        self.stats.steps += 1
        self.stats.shared_steps += len(active) > 1
        try:
            finished = self._batch.step()
        except Exception as exc:  # noqa: BLE001 - a failed decode fails every request in it
            owners, self._owners = self._owners, {}
            for ticket in owners.values():
                self._finish(ticket, error=exc)
            return
        for run in finished:
            ticket = self._owners.pop(id(run))
            if run.error is not None:
                self._finish(ticket, error=run.error)
            else:
                self._finish(ticket, generation=result(run))

    def _finish(self, ticket: _Ticket, *, generation: Generation | None = None,
                error: BaseException | None = None) -> None:
        ticket.generation, ticket.error = generation, error
        self.stats.calls += 1
        self.stats.shared_calls += ticket.shared
        ticket.done.set()

    def _fail_all(self, exc: BaseException) -> None:
        owners, self._owners = self._owners, {}
        with self._cv:
            queued = list(self._queue)
            self._queue.clear()
        for ticket in [*owners.values(), *queued]:
            self._finish(ticket, error=exc)


_DISPATCHERS: weakref.WeakKeyDictionary[LlamaRuntime, Dispatcher] = weakref.WeakKeyDictionary()
_DISPATCHERS_LOCK = threading.Lock()


def dispatcher_for(rt: LlamaRuntime) -> Dispatcher:
    """The one dispatcher of ``rt`` in this process (every backend object on it shares it)."""
    with _DISPATCHERS_LOCK:
        dispatcher = _DISPATCHERS.get(rt)
        if dispatcher is None:
            dispatcher = _DISPATCHERS[rt] = Dispatcher(rt)
        return dispatcher
