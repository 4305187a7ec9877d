"""Embedded GGUF backend on the real Qwen2.5-Coder-0.5B (assembled by the model store)."""

from __future__ import annotations

import json
import threading

import pytest

from agent.config import Config
from agent.errors import LLMError
from agent.llm.base import LLM
from agent.llm.factory import parse_llm_spec, shared_llm

pytestmark = pytest.mark.slow
QUESTION = [{"role": "system", "content": "You answer questions about images."},
            {"role": "user", "content": "Is a bus a vehicle? Answer yes or no."}]


@pytest.fixture(scope="module")
def llm():
    cfg = Config().replace(**parse_llm_spec("gguf:qwen2.5-coder-0.5b"), **{"llm.n_ctx": 1024})
    backend = shared_llm(cfg)
    assert isinstance(backend, LLM)
    return backend


def test_grammar_constrains_the_answer(llm):
    reply = llm.chat(QUESTION, grammar='root ::= "yes" | "no"', max_tokens=4)
    assert reply.text in {"yes", "no"}
    assert reply.prompt_tokens > 10 and reply.completion_tokens >= 1 and reply.seconds > 0
    assert reply.backend.startswith("gguf:")


def test_json_schema_output_parses(llm):
    schema = {"type": "object", "properties": {"answer": {"type": "string", "enum": ["yes", "no"]},
                                               "confidence": {"type": "number"}},
              "required": ["answer", "confidence"]}
    reply = llm.chat(QUESTION, json_schema=schema, max_tokens=40)
    data = json.loads(reply.text)
    assert data["answer"] in {"yes", "no"} and isinstance(data["confidence"], int | float)


def test_deterministic_and_thread_safe(llm):
    results = []

    def ask():
        results.append(llm.chat(QUESTION, max_tokens=6).text)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1] and results[0].strip()


def test_invalid_grammar_is_an_llm_error(llm):
    with pytest.raises(LLMError, match="invalid GBNF"):
        llm.chat(QUESTION, grammar="root ::= ( unclosed", max_tokens=2)


def test_same_model_is_shared_per_process(llm):
    cfg = Config().replace(**parse_llm_spec("gguf:qwen2.5-coder-0.5b"), **{"llm.n_ctx": 1024})
    other = shared_llm(cfg.replace(**{"budgets.max_turns": 2}))
    assert other is llm and other.loaded is llm.loaded
