import json

import pytest

from agent.cli import main


@pytest.mark.slow
def test_kb_cli_roundtrip(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "club.txt").write_text("FC Norte's coach always wears a red tie to home games.")
    (src / "bus.md").write_text("Azul Lines runs blue buses on route 27 to the harbour.")
    kb = str(tmp_path / "kb")
    assert main(["kb", "build", str(src), "--kb", kb, "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["kb", "search", "--kb", kb, "what does the coach wear", "-k", "1", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits[0]["source"].endswith("club.txt") and hits[0]["id"] == "K2"  # bus.md sorts first
    assert main(["kb", "info", "--kb", kb, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["sources"] == 2
    assert main(["kb", "delete", "club.txt", "--kb", kb]) == 0
    assert main(["kb", "add", str(src / "club.txt"), "--kb", kb]) == 0
    assert "added: 1" in capsys.readouterr().out
    assert main(["kb", "search", "--kb", kb, "--json"]) == 2  # neither query nor image
    assert "InputError" in capsys.readouterr().out
    assert main(["--set", "embedder.text_model=other-model", "kb", "info", "--kb", kb]) == 2
    assert "built with text embedder" in capsys.readouterr().err
