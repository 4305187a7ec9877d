"""LLM factory: CLI spec parsing, backend selection, per-process sharing."""

from __future__ import annotations

import pytest

from agent.config import Config
from agent.errors import ConfigError, ModelUnavailableError
from agent.llm.factory import make_llm, parse_llm_spec, shared_llm


@pytest.mark.parametrize("spec, expected", [
    ("gguf:qwen2.5-coder-0.5b", {"llm.backend": "gguf", "llm.model": "qwen2.5-coder-0.5b"}),
    ("gguf:/models/x.gguf", {"llm.backend": "gguf", "llm.model": "/models/x.gguf"}),
    ("openai:qwen@http://127.0.0.1:8080/v1",
     {"llm.backend": "openai", "llm.model": "qwen", "llm.base_url": "http://127.0.0.1:8080/v1"}),
    ("openai:gpt-4o-mini", {"llm.backend": "openai", "llm.model": "gpt-4o-mini"}),
    ("hf:HuggingFaceTB/SmolLM2-135M", {"llm.backend": "hf", "llm.model": "HuggingFaceTB/SmolLM2-135M"}),
])
def test_parse_llm_spec(spec, expected):
    assert parse_llm_spec(spec) == expected
    Config().replace(**expected)  # the overrides are valid config keys


@pytest.mark.parametrize("bad", ["qwen", "gpt:foo", "gguf:", "openai:m@ftp://x", "openai:@http://x"])
def test_bad_specs_are_config_errors(bad):
    with pytest.raises(ConfigError):
        parse_llm_spec(bad)


def test_make_llm_picks_backend_and_refuses_unknown(tmp_path):
    cfg = Config(home=str(tmp_path))
    hf = make_llm(cfg.replace(**parse_llm_spec("hf:some/model")))
    assert hf.name == "hf:some/model"
    oa = make_llm(cfg.replace(**parse_llm_spec("openai:m@http://127.0.0.1:9/v1")))
    assert oa.name == "openai:m@http://127.0.0.1:9/v1"
    with pytest.raises(ConfigError):
        make_llm(cfg.replace(**{"llm.backend": "scripted"}))
    with pytest.raises(ConfigError):
        make_llm(cfg.replace(**{"llm.backend": "nope"}))


def test_gguf_with_unknown_model_is_a_typed_error(tmp_path):
    with pytest.raises(ModelUnavailableError, match="neither a GGUF file"):
        make_llm(Config(home=str(tmp_path)).replace(**{"llm.model": "no-such-model"}))


def test_shared_llm_is_one_object_per_llm_config(tmp_path):
    cfg = Config(home=str(tmp_path)).replace(**parse_llm_spec("hf:a/b"))
    assert shared_llm(cfg) is shared_llm(cfg.replace(**{"detector.score_threshold": 0.9}))
    assert shared_llm(cfg) is not shared_llm(cfg.replace(**{"llm.max_tokens": 17}))
