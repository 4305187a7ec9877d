"""What `visreason batch` and `visreason score` tell the user: failures listed with their reasons, a non-zero
exit when every item failed, a progress count that matches the summary, the wrong ids on request, and
global options (--set, --config) accepted after the sub-command too."""

from __future__ import annotations

import json

from agent.cli import hoist_global_options, main
from tests.agent.batch.conftest import STANDIN, write_dataset


def _batch(tmp_path, path, *extra):
    return main(["batch", str(path), "--out", str(tmp_path / "out.jsonl"), "--reasoner-factory", STANDIN, *extra])


def test_every_item_failing_exits_non_zero_and_lists_the_failures(tmp_path, capsys):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "in.jsonl").write_text(
        json.dumps({"id": "a", "image": "missing.png", "question": "q?"}) + "\n"
        + json.dumps({"id": "b", "image": "gone.png", "question": "q?"}) + "\n" + "{not json\n")
    code = _batch(tmp_path, folder / "in.jsonl", "--no-progress")
    out = capsys.readouterr()
    assert code == 1 and "every item failed" in out.err
    assert "failed (3):" in out.out
    assert "  a: ImageError" in out.out and "missing.png" in out.out and "  b: ImageError" in out.out
    assert "line 3" in out.out  # the unparseable line is named by its line


def test_some_failures_exit_zero_and_are_listed(tmp_path, capsys):
    path = write_dataset(tmp_path / "d", n=10, bad_every=5)
    assert _batch(tmp_path, path, "--no-progress") == 0
    out = capsys.readouterr().out
    assert "failed (2):" in out and "q0004: ImageError" in out and "q0009: ImageError" in out


def test_the_progress_bar_counts_unusable_lines_like_the_summary(tmp_path, capsys):
    path = write_dataset(tmp_path / "d", n=2)
    path.write_text(path.read_text() + "{broken\n")
    assert _batch(tmp_path, path) == 0
    out = capsys.readouterr()
    assert "done 3/3" in out.out
    assert "3/3" in out.err.replace("\r", "\n").splitlines()[-1] or "3/3" in out.err


def test_score_show_wrong_lists_the_wrong_and_missing_ids(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(g) for g in [
        {"id": "1", "question": "What colour?", "answer": "red"},
        {"id": "2", "question": "How many?", "answer": "3"},
        {"id": "3", "question": "Is it?", "answer": "yes"}]) + "\n")
    results = tmp_path / "res.jsonl"
    results.write_text(json.dumps({"id": "1", "answer": "red"}) + "\n" + json.dumps({"id": "2", "answer": "4"}) + "\n")
    assert main(["score", str(results), "--gold", str(gold), "--show-wrong"]) == 0
    out = capsys.readouterr().out
    assert "wrong or missing (2):" in out and "  2: 'How many?' gold ['3'] got '4'" in out and "  3:" in out
    assert "  1:" not in out
    assert main(["score", str(results), "--gold", str(gold), "--show-wrong", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [w["id"] for w in report["wrong"]] == ["2", "3"]


def test_set_and_config_after_the_subcommand():
    argv = ["ask", "--image", "bus.jpg", "--set", "llm.model=x", "How many?", "--config=c.toml", "--set=a.b=1"]
    assert hoist_global_options(argv) == ["--set", "llm.model=x", "--config=c.toml", "--set=a.b=1",
                                          "ask", "--image", "bus.jpg", "How many?"]
    assert hoist_global_options(["ask", "--", "--set", "x"]) == ["ask", "--", "--set", "x"]


def test_set_after_the_subcommand_reaches_the_config(tmp_path, capsys):
    path = write_dataset(tmp_path / "d", n=1)
    code = main(["batch", str(path), "--out", str(tmp_path / "o.jsonl"), "--reasoner-factory", STANDIN,
                 "--no-progress", "--set", "budgets.max_steps=notanumber"])
    assert code == 2 and "max_steps" in capsys.readouterr().err


def test_every_subcommand_and_argument_has_help_text():
    import argparse

    from agent.cli import build_parser

    missing = []

    def walk(parser, path):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                documented = {c.dest: c.help for c in action._choices_actions}
                for name, sub in action.choices.items():
                    if not documented.get(name):
                        missing.append(" ".join(path + [name]))
                    walk(sub, path + [name])
            elif action.help is None and not isinstance(action, argparse._HelpAction):
                missing.append(" ".join(path + [action.dest]))

    walk(build_parser(), [])
    assert not missing, missing
