"""Batched multi-sequence decoding on the real Qwen2.5-Coder-0.5B: the same greedy text as one-by-one
generation, each sequence's own grammar, and a deadline on one that leaves the others running."""

from __future__ import annotations

import re
import time

import pytest

from agent.config import Config
from agent.llm.factory import parse_llm_spec
from agent.llm.llama_batch import Request, generate_many
from agent.llm.llama_cpp_backend import resolve_gguf_path
from agent.llm.llama_runtime import LlamaRuntime, RuntimeSettings

pytestmark = pytest.mark.slow
SPEC = parse_llm_spec("gguf:qwen2.5-coder-0.5b")
GRAMMAR = 'root ::= "COUNT=" [0-9] [0-9]? "\\n"'
QUESTIONS = ["Write a Python function that adds two numbers.", "Name three colours, one per line.",
             "Write a haiku about a bus."]


@pytest.fixture(scope="module")
def runtime():
    path = str(resolve_gguf_path(Config().replace(**SPEC)))
    rt = LlamaRuntime(RuntimeSettings(path=path, n_ctx=512, n_seq=3))
    yield rt
    rt.close()


def _tokens(rt, question):
    return rt.render([{"role": "system", "content": "You are terse."}, {"role": "user", "content": question}])


def test_batched_greedy_text_equals_one_by_one(runtime):
    prompts = [_tokens(runtime, q) for q in QUESTIONS]
    alone = [runtime.generate(t, p, max_tokens=24).text for t, p in prompts]
    together = generate_many(runtime, [Request(t, p, max_tokens=24) for t, p in prompts])
    assert [g.text for g in together] == alone
    assert all(len(g.tokens) > 0 for g in together)


def test_each_sequence_keeps_its_own_grammar(runtime):
    free_t, free_p = _tokens(runtime, QUESTIONS[1])
    gram_t, gram_p = _tokens(runtime, "How many wheels does a car have?")
    out = generate_many(runtime, [Request(gram_t, gram_p, grammar=GRAMMAR, max_tokens=8),
                                  Request(free_t, free_p, max_tokens=12),
                                  Request(gram_t, gram_p, grammar=GRAMMAR, grammar_mode="full", max_tokens=8)])
    assert re.fullmatch(r"COUNT=[0-9]{1,2}\n", out[0].text), out[0].text
    assert out[2].text == out[0].text
    assert not out[1].text.startswith("COUNT=")
    assert out[1].text == runtime.generate(free_t, free_p, max_tokens=12).text


def test_a_deadline_on_one_sequence_leaves_the_others(runtime):
    seen: list[str] = []
    reqs = [Request(*_tokens(runtime, QUESTIONS[0]), max_tokens=16, deadline=time.monotonic() - 1),
            Request(*_tokens(runtime, QUESTIONS[2]), max_tokens=16, on_token=seen.append)]
    late, ok = generate_many(runtime, reqs)
    assert late.stopped == "deadline" and len(late.tokens) == 0
    assert ok.stopped == "" and ok.text == runtime.generate(*_tokens(runtime, QUESTIONS[2]), max_tokens=16).text
    assert len(ok.tokens) > 4
    assert "".join(seen) == ok.text


def test_more_requests_than_sequences_join_as_others_end(runtime):
    prompts = [_tokens(runtime, q) for q in [*QUESTIONS, "Say hello in French."]]
    lengths = [4, 20, 12, 8]  # the first ends early: the fourth takes its sequence mid-run
    alone = [runtime.generate(t, p, max_tokens=n).text for (t, p), n in zip(prompts, lengths, strict=True)]
    together = generate_many(runtime, [Request(t, p, max_tokens=n) for (t, p), n in zip(prompts, lengths, strict=True)])
    assert [g.text for g in together] == alone
    assert not runtime.busy  # every sequence handed back
