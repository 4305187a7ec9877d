"""Issue 9, item 8: the knowledge-base setting must not reveal whether a server path exists."""

from __future__ import annotations

import pytest

from agent.config import Config
from agent.errors import ConfigError
from agent.ui.policy import NO_KB, AppPolicy
from agent.ui.settings import settings_to_config


def _error(settings: dict, policy: AppPolicy) -> str:
    with pytest.raises(ConfigError) as info:
        settings_to_config(Config(), settings, policy)
    return f"{info.value} | {info.value.hint}"


def _probes(tmp_path) -> list[str]:
    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    return [str(tmp_path / "missing"), str(plain_dir), str(a_file), "/etc", "/root", "/no/such/dir"]


@pytest.mark.parametrize("field", ["kb", "kb_path"])
def test_default_server_answers_the_same_for_existing_and_missing_paths(tmp_path, field):
    policy = AppPolicy.from_config(Config())
    answers = {_error({field: p}, policy).replace(p, "<P>") for p in _probes(tmp_path)}
    assert len(answers) == 1, answers
    assert "<P>" not in answers.pop()  # the answer does not echo the probed path either


def test_free_paths_answer_the_same_for_anything_that_is_not_a_kb(tmp_path):
    policy = AppPolicy.from_config(Config(), free_paths=True)
    answers = {_error({"kb_path": p}, policy) for p in _probes(tmp_path)}
    assert len(answers) == 1, answers
    kb = tmp_path / "real-kb"
    kb.mkdir()
    (kb / "CURRENT").write_text("v1")
    assert settings_to_config(Config(), {"kb_path": str(kb)}, policy)[1] == str(kb)


def test_kb_dir_offers_its_knowledge_bases_by_name(tmp_path):
    for name in ("cars", "birds", "not-a-kb", ".hidden"):
        (tmp_path / name).mkdir()
    for name in ("cars", "birds", ".hidden"):
        (tmp_path / name / "CURRENT").write_text("v1")
    policy = AppPolicy.from_config(Config(), kb_dir=str(tmp_path))
    assert policy.kb_names() == [NO_KB, "birds", "cars"]
    assert settings_to_config(Config(), {"kb": "cars"}, policy)[1] == str((tmp_path / "cars").resolve())
    assert settings_to_config(Config(), {"kb": NO_KB}, policy)[1] is None
    assert _error({"kb": "not-a-kb"}, policy) == _error({"kb": "../../etc"}, policy)
