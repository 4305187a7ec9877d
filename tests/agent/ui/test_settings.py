import pytest

from agent.config import Config
from agent.errors import ConfigError
from agent.ui.policy import NO_KB, AppPolicy
from agent.ui.settings import FIELDS, default_settings, offered_fields, settings_to_config

FREE = {f.name for f in FIELDS if f.free}


def test_defaults_roundtrip_to_the_same_config():
    base = Config()
    for policy in (AppPolicy.from_config(base), AppPolicy.from_config(base, free_paths=True)):
        cfg, kb = settings_to_config(base, default_settings(base, policy), policy)
        assert cfg == base and kb is None
        assert set(default_settings(base, policy)) == {f.name for f in offered_fields(policy)}


def test_default_panel_offers_choices_only_and_shows_no_server_path():
    base = Config().replace(**{"llm.model": "/srv/models/secret-dir/model.gguf"})
    policy = AppPolicy.from_config(base)
    assert not FREE & {f.name for f in offered_fields(policy)}
    defaults = default_settings(base, policy)
    assert defaults["llm"] == "gguf:model.gguf" and defaults["kb"] == NO_KB
    assert "/srv" not in repr(defaults)


def test_allowed_backends_become_choices():
    base = Config()
    policy = AppPolicy.from_config(base, allow_backends=["openai:gpt-x@http://127.0.0.1:9/v1", "hf"])
    labels = [c.label for c in policy.llms]
    assert labels == ["gguf:qwen2.5-coder-1.5b", "openai:gpt-x", "hf:qwen2.5-coder-1.5b"]
    cfg, _ = settings_to_config(base, {"llm": "openai:gpt-x"}, policy)
    assert (cfg.llm.backend, cfg.llm.model, cfg.llm.base_url) == ("openai", "gpt-x", "http://127.0.0.1:9/v1")
    assert cfg.llm.hub_download is False
    with pytest.raises(ConfigError):
        AppPolicy.from_config(base, allow_backends=["nonsense:x"])


def test_free_fields_apply_only_when_the_operator_allows_them():
    base = Config()
    with pytest.raises(ConfigError, match="does not let visitors"):
        settings_to_config(base, {"llm_model": "other"}, AppPolicy.from_config(base))
    policy = AppPolicy.from_config(base, allow_backends=["openai"], free_paths=True)
    cfg, _ = settings_to_config(base, {"llm": "openai:qwen2.5-coder-1.5b", "llm_base_url": " http://x/v1 ",
                                       "llm_model": "", "max_steps": 7}, policy)
    assert cfg.llm.backend == "openai" and cfg.llm.base_url == "http://x/v1" and cfg.llm.model == base.llm.model
    assert cfg.budgets.max_steps == 7


@pytest.mark.parametrize("bad", [{"llm": "gpt"}, {"max_steps": 0}, {"nope": 1}, {"kb": "/no/such/kb"},
                                 {"detector_backend": "detr"}, {"vqa_backend": "transformers"},
                                 {"agent_seconds": "nan"}, {"max_turns": "many"}])
def test_bad_settings_raise_config_error(bad):
    with pytest.raises(ConfigError):
        settings_to_config(Config(), bad)
