from pathlib import Path

import pytest

from agent.config import Config
from agent.errors import ConfigError
from agent.ui.app_builder import browser_secret, build_app, load_factory
from tests.agent.ui.fake_reasoner import make_fake

ROOT = Path(__file__).resolve().parents[3]


def test_load_factory_imports_module_callable_and_refuses_junk():
    assert load_factory("tests.agent.ui.fake_reasoner:make_fake") is make_fake
    for bad in ["no_colon", "tests.agent.ui.fake_reasoner:missing", "no.such.module:f", "tests.agent.ui.fake_reasoner:COLOURS"]:
        with pytest.raises(ConfigError):
            load_factory(bad)


def test_browser_secret_is_stable_and_private(tmp_path):
    first = browser_secret(tmp_path)
    assert first == browser_secret(tmp_path) and len(first) == 32
    assert (tmp_path / "ui_browser_secret").stat().st_mode & 0o077 == 0


def test_app_serves_only_session_and_example_folders(tmp_path):
    app = build_app(Config(home=str(tmp_path)), reasoner_factory=make_fake)
    served = [Path(p) for p in app.allowed_paths]
    assert served == [(tmp_path / "sessions").resolve(), (tmp_path / "ui_examples").resolve()]
    assert not any(ROOT.resolve().is_relative_to(p) or p.is_relative_to(ROOT.resolve()) for p in served)
    assert str((tmp_path / "sessions.sqlite").resolve()) in app.blocked_paths
    assert app.max_file_size == Config().images.max_bytes
    app.controller.store.close()
