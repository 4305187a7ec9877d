"""Concurrent chat calls on the real Qwen2.5-Coder-0.5B: decoded together (the dispatcher's stats say
so) with the same greedy text as calls made one after another."""

from __future__ import annotations

import threading

import pytest

from agent.config import Config
from agent.errors import LLMError
from agent.llm.factory import parse_llm_spec, shared_llm
from agent.llm.llama_dispatch import dispatcher_for

pytestmark = pytest.mark.slow
SYSTEM = {"role": "system", "content": "You are terse."}
QUESTIONS = ["Write a Python function that adds two numbers.", "Name three colours, one per line.",
             "Write a haiku about a bus."]


@pytest.fixture(scope="module")
def llm():
    cfg = Config().replace(**parse_llm_spec("gguf:qwen2.5-coder-0.5b"), **{"llm.n_ctx": 1024})
    return shared_llm(cfg)


def _chat_together(llm, questions, **kw):
    texts: dict[int, object] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(questions))

    def ask(i, q):
        barrier.wait()
        try:
            texts[i] = llm.chat([SYSTEM, {"role": "user", "content": q}], **kw)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i, q)) for i, q in enumerate(questions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [texts.get(i) for i in range(len(questions))], errors


def test_concurrent_calls_are_decoded_together_with_the_sequential_text(llm):
    replies = [llm.chat([SYSTEM, {"role": "user", "content": q}], max_tokens=24) for q in QUESTIONS[:2]]
    sequential = [r.text for r in replies]
    rt = llm.loaded
    plain = [rt.generate(*rt.render([SYSTEM, {"role": "user", "content": q}]), max_tokens=24, seed=1234).text
             for q in QUESTIONS[:2]]
    assert sequential == plain
    stats = dispatcher_for(rt).stats
    before = (stats.calls, stats.shared_calls, stats.steps, stats.shared_steps)
    together, errors = _chat_together(llm, QUESTIONS[:2], max_tokens=24)
    assert not errors and [r.text for r in together] == sequential
    calls, shared_calls, steps, shared_steps = (a - b for a, b in zip(
        (stats.calls, stats.shared_calls, stats.steps, stats.shared_steps), before, strict=True))
    assert calls == 2 and shared_calls == 2  # both took part in steps decoding the two together
    # a reply of n tokens costs n - 1 or n decode steps alone (n when it ends on end-of-text);
    # together, the shorter reply's steps (but one, if it joined a step late) were shared
    shortest = min(r.completion_tokens for r in replies)
    assert shared_steps >= shortest - 2 > 0
    assert steps <= sum(r.completion_tokens for r in replies) - shared_steps


def test_one_bad_request_fails_alone(llm):
    texts: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def good():
        barrier.wait()
        texts["good"] = llm.chat([SYSTEM, {"role": "user", "content": QUESTIONS[2]}], max_tokens=12).text

    def bad():
        barrier.wait()
        try:
            llm.chat([SYSTEM, {"role": "user", "content": QUESTIONS[2]}], grammar="root ::= ( unclosed", max_tokens=4)
        except LLMError as exc:
            texts["bad"] = exc

    threads = [threading.Thread(target=good), threading.Thread(target=bad)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(texts.get("bad"), LLMError)
    assert texts["good"] == llm.chat([SYSTEM, {"role": "user", "content": QUESTIONS[2]}], max_tokens=12).text
    assert not llm.loaded.busy
