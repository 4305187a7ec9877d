import pytest

from agent.config import Config
from agent.errors import ConfigError
from agent.ui.settings import FIELDS, default_settings, settings_to_config


def test_defaults_roundtrip_to_the_same_config():
    base = Config()
    cfg, kb = settings_to_config(base, default_settings(base))
    assert cfg == base and kb is None
    assert set(default_settings(base)) == {f.name for f in FIELDS}


def test_overrides_apply_and_blank_means_default(tmp_path):
    cfg, kb = settings_to_config(Config(), {"llm_backend": "openai", "llm_base_url": " http://x/v1 ",
                                            "llm_model": "", "max_steps": 7, "kb_path": str(tmp_path)})
    assert cfg.llm.backend == "openai" and cfg.llm.base_url == "http://x/v1" and cfg.llm.model == Config().llm.model
    assert cfg.budgets.max_steps == 7 and kb == str(tmp_path)


@pytest.mark.parametrize("bad", [{"llm_backend": "gpt"}, {"max_steps": 0}, {"nope": 1}, {"kb_path": "/no/such/kb"}])
def test_bad_settings_raise_config_error(bad):
    with pytest.raises(ConfigError):
        settings_to_config(Config(), bad)
