"""The lean llama.cpp runtime on the real Qwen2.5-Coder-0.5B: one copy of the weights, KV sequences
routed by prompt prefix, prefix states on disk, lazy grammar checking."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from agent.config import Config
from agent.errors import ConfigError, LLMError
from agent.llm.factory import parse_llm_spec, shared_llm
from agent.llm.llama_cpp_backend import LlamaCppBackend, resolve_gguf_path
from agent.llm.llama_runtime import LlamaRuntime, RuntimeSettings

pytestmark = pytest.mark.slow
SPEC = parse_llm_spec("gguf:qwen2.5-coder-0.5b")
GRAMMAR = 'root ::= line line? "FINAL_RESULT=RESULT(var=" name ")"\nline ::= name "=" ("LOC" | "COUNT") "(" [a-zA-Z0-9=\',_ ]+ ")\\n"\nname ::= [A-Z]+ [0-9]?\n'


def family(name: str, question: str) -> list[dict]:
    """A planner-like prompt: a long system prompt and examples (the prefix), then the question."""
    system = f"You write short programs for {name} questions about images. " * 12
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Question: how many {name} are there?"},
        {"role": "assistant", "content": "BOX0=LOC(image=IMAGE,object='x')\nANSWER0=COUNT(box=BOX0)"},
        {"role": "user", "content": f"Question: {question}"},
    ]


@pytest.fixture(scope="module")
def model_path() -> str:
    return str(resolve_gguf_path(Config().replace(**SPEC)))


@pytest.fixture(scope="module")
def runtime(model_path, tmp_path_factory):
    rt = LlamaRuntime(RuntimeSettings(path=model_path, n_ctx=1024, n_seq=2, kv_dir=str(tmp_path_factory.mktemp("kv"))))
    yield rt
    rt.close()


def _mapped(path: str) -> bool:
    return any(line.rstrip().endswith(path) for line in Path("/proc/self/maps").read_text().splitlines())


def test_weights_are_read_once_not_mapped(runtime, model_path):
    # With mmap, llama.cpp repacks most tensors into its own buffer and the mapping stays resident too.
    assert not _mapped(model_path)


def test_every_slot_shares_one_runtime():
    cfg = Config().replace(**SPEC, **{"llm.n_ctx": 1024})
    main, aux, plan = shared_llm(cfg), shared_llm(cfg, slot="aux"), shared_llm(cfg, slot="plan1")
    assert main.loaded is aux.loaded is plan.loaded


def test_prompts_find_the_sequence_holding_their_prefix(runtime):
    a1, b1, a2 = family("bus", "How many buses?"), family("cat", "How many cats?"), family("bus", "Any bus?")
    t_a1, p_a = runtime.render(a1)
    runtime.generate(t_a1, p_a, max_tokens=4)
    t_b, p_b = runtime.render(b1)
    runtime.generate(t_b, p_b, max_tokens=4)
    t_a2, p_a2 = runtime.render(a2)
    assert p_a2 == p_a > 100 and t_a2[:p_a2] == t_a1[:p_a]
    out = runtime.generate(t_a2, p_a2, max_tokens=4)
    # The bus prefix survived the cat prompt in its own sequence: only the new question is read.
    assert out.source == "memory" and 0 < out.evaluated <= len(t_a2) - p_a2


def test_prefix_state_is_saved_and_a_new_process_loads_it(model_path, tmp_path):
    settings = RuntimeSettings(path=model_path, n_ctx=1024, n_seq=1, kv_dir=str(tmp_path))
    messages = family("dog", "How many dogs are on the left?")
    first = LlamaRuntime(settings)
    tokens, prefix = first.render(messages)
    cold = first.generate(tokens, prefix, max_tokens=12)
    first.close()
    assert cold.source == "none" and cold.evaluated == len(tokens)
    assert len(list(tmp_path.glob("*.kv"))) == 1
    second = LlamaRuntime(settings)
    warm = second.generate(tokens, prefix, max_tokens=12)
    second.close()
    assert warm.source == "disk" and warm.evaluated == len(tokens) - prefix
    assert warm.text == cold.text


def test_a_foreign_state_file_is_refused_and_removed(model_path, tmp_path):
    settings = RuntimeSettings(path=model_path, n_ctx=1024, n_seq=1, kv_dir=str(tmp_path))
    rt = LlamaRuntime(settings)
    tokens, prefix = rt.render(family("cup", "How many cups?"))
    other, other_prefix = rt.render(family("tie", "How many ties?"))
    rt.generate(other, other_prefix, max_tokens=1)  # saves the tie prefix
    (saved,) = tmp_path.glob("*.kv")
    saved.rename(rt.store.path(tokens[:prefix]))  # now claims to be the cup prefix
    rt.close()
    rt = LlamaRuntime(settings)
    out = rt.generate(tokens, prefix, max_tokens=1)
    rt.close()
    assert out.source == "none" and out.evaluated == len(tokens)
    assert rt.store.has(tokens[:prefix])  # re-saved from the real evaluation


def test_a_damaged_state_file_is_ignored(model_path, tmp_path):
    settings = RuntimeSettings(path=model_path, n_ctx=1024, n_seq=1, kv_dir=str(tmp_path))
    rt = LlamaRuntime(settings)
    tokens, prefix = rt.render(family("car", "How many cars?"))
    rt.store.path(tokens[:prefix]).parent.mkdir(parents=True, exist_ok=True)
    rt.store.path(tokens[:prefix]).write_bytes(b"not a llama.cpp state")
    out = rt.generate(tokens, prefix, max_tokens=3)
    rt.close()
    assert out.source == "none" and out.text


def test_lazy_grammar_writes_what_full_grammar_writes(runtime):
    tokens, prefix = runtime.render(family("person", "How many people?"))
    full = runtime.generate(tokens, prefix, grammar=GRAMMAR, grammar_mode="full", max_tokens=60)
    lazy = runtime.generate(tokens, prefix, grammar=GRAMMAR, grammar_mode="lazy", max_tokens=60)
    assert lazy.text == full.text and "FINAL_RESULT=RESULT(var=" in lazy.text
    assert full.full_grammar_steps >= len(full.tokens)  # every step masks the whole vocabulary
    assert lazy.full_grammar_steps < full.full_grammar_steps


def test_lazy_grammar_keeps_json_valid():
    cfg = Config().replace(**SPEC, **{"llm.n_ctx": 1024, "llm.grammar_mode": "lazy"})
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}, "confidence": {"type": "number"}},
        "required": ["answer", "confidence"],
    }
    reply = LlamaCppBackend(cfg).chat(
        [{"role": "user", "content": "Is a bus a vehicle? Reply in prose."}], json_schema=schema, max_tokens=40
    )
    data = json.loads(reply.text)
    assert data["answer"] in {"yes", "no"} and isinstance(data["confidence"], int | float)


def test_stop_strings_cut_the_text(runtime):
    tokens, prefix = runtime.render([{"role": "user", "content": "Count from 1 to 9, comma separated."}])
    out = runtime.generate(tokens, prefix, max_tokens=30, stop=["4"])
    assert "4" not in out.text and "3" in out.text


def test_too_long_a_prompt_is_an_llm_error(runtime):
    with pytest.raises(LLMError, match="context holds 1024"):
        runtime.generate(list(range(100, 1200)), 0, max_tokens=4)


@pytest.mark.parametrize("override", [{"llm.grammar_mode": "eager"}, {"llm.sequences": 0}])
def test_bad_runtime_settings_are_config_errors(override):
    backend = LlamaCppBackend(Config().replace(**SPEC, **override))
    with pytest.raises(ConfigError):
        backend.loaded  # noqa: B018


def test_generation_stops_at_the_deadline_and_streams_its_pieces(runtime):
    messages = [{"role": "user", "content": "Count slowly from 1 to 500, one number per line."}]
    tokens, prefix = runtime.render(messages)
    runtime.generate(tokens, prefix, max_tokens=1)  # the prompt is cached: only decoding is timed below
    pieces: list[str] = []
    started = time.monotonic()
    out = runtime.generate(tokens, prefix, max_tokens=400, deadline=started + 3.0, on_token=pieces.append)
    took = time.monotonic() - started
    assert out.stopped == "deadline" and 0 < len(out.tokens) < 400  # 400 tokens take ~20 s here
    assert took < 6.0, f"deadline 3 s, generation took {took:.1f} s"  # unbounded it would take ~20 s
    assert "".join(pieces) == out.text
    full = runtime.generate(tokens, prefix, max_tokens=8)
    assert full.stopped == ""
