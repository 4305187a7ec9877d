"""Several prompts decoded together: one ``llama_decode`` batch per step, one token per active sequence.

Each request is prefilled on its own KV sequence of a ``LlamaRuntime`` (reusing cached prefixes as
``generate`` does) and its first token sampled from its own last-prompt logits; then every step puts
the last token of each still-active sequence into ONE batch (its own ``seq_id`` and position, logits
for each), so the weights are read once per step for all sequences. Every request keeps its own
grammar (a clone of the cached sampler), stop strings, temperature, deadline and ``on_token``.
Greedy output equals that of ``LlamaRuntime.generate`` for each prompt alone.

``Batch`` lets a request join while others are running (continuous batching): it is prefilled
between two steps and takes part from the next one. ``llama_dispatch`` feeds it from threads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from agent.errors import LLMError
from agent.llm.llama_runtime import GRAMMAR_MODES, Generation, LlamaRuntime, _cut, _stream


@dataclass
class Request:
    tokens: list[int]
    prefix_len: int = 0
    grammar: str | None = None
    grammar_mode: str = "lazy"
    max_tokens: int = 256
    stop: list[str] | None = None
    temperature: float = 0.0
    seed: int = 1234
    deadline: float | None = None
    on_token: Callable[[str], None] | None = None


@dataclass
class _Run:
    req: Request
    seq: object = None
    sampler: object = None
    rng: np.random.Generator | None = None
    out: list[int] = field(default_factory=list)
    text: bytes = b""
    shown: int = 0
    full_steps: int = 0
    stopped: str = ""
    done: bool = False
    source: str = "none"
    evaluated: int = 0
    prompt_seconds: float = 0.0
    max_tokens: int = 0
    started: float = 0.0
    seconds: float = 0.0
    error: BaseException | None = None


class Batch:
    """Requests being generated together on one runtime; requests join (``admit``) while others run.

    ``step`` runs one ``llama_decode`` for every active request and returns those that finished.
    Each call takes ``rt.lock`` for itself only, so other callers of the runtime (a prefill) fit
    between steps; the sequences in use are in ``rt.busy`` meanwhile, so nobody else claims them.
    """

    def __init__(self, rt: LlamaRuntime) -> None:
        self.rt = rt
        self.active: list[_Run] = []
        self.steps = 0  # llama_decode calls made by step()
        self.shared_steps = 0  # of which for more than one request

    def free(self) -> int:
        return self.rt.settings.n_seq - len(self.rt.busy)

    def admit(self, req: Request) -> _Run:
        """Prefill ``req`` on a free sequence and sample its first token; ``run.done`` may already be set."""
        rt, ll = self.rt, self.rt._ll
        run = _Run(req, max_tokens=_check(rt, req), started=time.perf_counter())
        with rt.lock:
            try:
                if req.grammar and req.grammar_mode != "none":
                    run.sampler = ll.llama_sampler_clone(rt.grammar(req.grammar))
                    ll.llama_sampler_reset(run.sampler)
                run.rng = np.random.default_rng(req.seed)
                run.seq, run.source, run.evaluated = rt._prepare(list(req.tokens), req.prefix_len)
                rt.busy.add(run.seq.id)
                run.prompt_seconds = time.perf_counter() - run.started
                _step(rt, run, -1)  # its first token, from its own last-prompt logits
            except BaseException:
                self._release(run)
                raise
            if run.done:
                self._release(run)
            else:
                self.active.append(run)
        return run

    def step(self) -> list[_Run]:
        """One token for every active request; returns the requests that ended (and frees their sequences)."""
        rt, ll = self.rt, self.rt._ll
        active = self.active
        if not active:
            return []
        with rt.lock:
            b = rt._batch.batch
            b.n_tokens = len(active)
            for j, run in enumerate(active):
                b.token[j], b.pos[j], b.n_seq_id[j], b.logits[j] = run.out[-1], len(run.seq.tokens), 1, True
                b.seq_id[j][0] = run.seq.id
            rc = ll.llama_decode(rt.ctx.ctx, b)
            self.steps += 1
            self.shared_steps += len(active) > 1
            if rc != 0:
                for run in active:
                    ll.llama_memory_seq_rm(rt.ctx.memory, run.seq.id, -1, -1)
                    run.seq.tokens = []
                self.abort()
                raise LLMError(f"llama.cpp decode failed (code {rc})", hint="llm.n_ctx may be too small")
            for run in active:
                run.seq.tokens.append(run.out[-1])
            for j, run in enumerate(active):
                try:
                    _step(rt, run, j)
                except Exception as exc:  # noqa: BLE001 - e.g. its on_token raised: that request fails alone
                    run.error, run.done = exc, True
            finished = [r for r in active if r.done]
            self.active = [r for r in active if not r.done]
            for run in finished:
                self._release(run)
        return finished

    def abort(self) -> None:
        """Give up every active request (their sequences and grammars are freed)."""
        with self.rt.lock:
            for run in self.active:
                self._release(run)
            self.active = []

    def _release(self, run: _Run) -> None:
        if run.seq is not None:
            self.rt.busy.discard(run.seq.id)
        if run.sampler is not None:
            self.rt._ll.llama_sampler_free(run.sampler)
            run.sampler = None
        run.seconds = time.perf_counter() - run.started


def generate_many(rt: LlamaRuntime, requests: list[Request]) -> list[Generation]:
    """Generate every request; at most the runtime's free sequences at once, the rest join as others end."""
    batch = Batch(rt)
    runs: list[_Run] = []
    try:
        waiting = list(requests)
        while waiting or batch.active:
            while waiting and batch.free() > 0:
                runs.append(batch.admit(waiting.pop(0)))
            batch.step()
    finally:
        batch.abort()
    for run in runs:
        if run.error is not None:
            raise run.error
    return [result(run) for run in runs]


def _check(rt: LlamaRuntime, req: Request) -> int:
    if req.grammar_mode not in GRAMMAR_MODES:
        raise LLMError(f"unknown grammar mode {req.grammar_mode!r}", hint="one of: " + ", ".join(GRAMMAR_MODES))
    n_ctx = rt.settings.n_ctx
    if not req.tokens:
        raise LLMError("empty prompt")
    if len(req.tokens) >= n_ctx:
        raise LLMError(f"llama.cpp: the prompt has {len(req.tokens)} tokens, the context holds {n_ctx}",
                       hint=f"llm.n_ctx is {n_ctx}")
    return max(0, min(req.max_tokens, n_ctx - len(req.tokens)))


def _step(rt: LlamaRuntime, run: _Run, index: int) -> None:
    """Sample the next token of ``run`` from batch row ``index``; mark it done when it ends."""
    req = run.req
    if len(run.out) >= run.max_tokens:
        run.done = True
        return
    if req.deadline is not None and time.monotonic() >= req.deadline:
        run.stopped, run.done = "deadline", True
        return
    ll = rt._ll
    logits = np.ctypeslib.as_array(ll.llama_get_logits_ith(rt.ctx.ctx, index), shape=(rt.n_vocab,))
    tok, full = rt._pick(logits, run.sampler, req.grammar_mode, req.temperature, run.rng)
    run.full_steps += full
    if tok < 0 or ll.llama_vocab_is_eog(rt.vocab, tok):
        run.done = True
        return
    if run.sampler is not None:
        ll.llama_sampler_accept(run.sampler, tok)
    run.out.append(tok)
    run.text += rt._piece(tok)
    stops = [s for s in (req.stop or []) if s]
    if stops and _cut(run.text, stops) is not None:
        run.done = True
        return
    if req.on_token is not None:
        run.shown = _stream(run.text, run.shown, req.on_token)
    if len(run.out) >= run.max_tokens:
        run.done = True


def result(run: _Run) -> Generation:
    stops = [s for s in (run.req.stop or []) if s]
    cut = _cut(run.text, stops) if stops else None
    text = run.text if cut is None else run.text[:cut]
    return Generation(text.decode("utf-8", errors="ignore"), run.out, len(run.req.tokens), run.evaluated,
                      run.source, run.full_steps, run.seconds, run.prompt_seconds, run.stopped)
