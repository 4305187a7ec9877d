"""``visreason models ...`` end to end through the dispatcher."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_models_list_json_subprocess():
    out = subprocess.run([sys.executable, "-m", "agent.cli", "models", "list", "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    rows = {row["name"]: row for row in json.loads(out.stdout)}
    assert rows["yolo11n.pt"]["state"] == "hub" and rows["yolo11n.pt"]["offline"] is False
    assert rows["qwen2.5-coder-0.5b"]["offline"] is True
    assert rows["qwen2.5-coder-0.5b"]["state"] in {"present", "assemblable"}
    assert rows["efficientnet-lite0"]["state"] == "present"
    assert set(rows["rapidocr"]) >= {"name", "kind", "backend", "offline", "state", "path", "source"}


def test_verify_and_fetch_errors(tmp_path, capsys):
    bogus = tmp_path / "det.onnx"
    bogus.write_bytes(b"nope")
    assert main(["--set", f"home={tmp_path}", "--set", "detector.backend=yolox", "--set", f"detector.path={bogus}",
                 "models", "verify", "yolox-nano",
                 "--json"]) == 1
    result = json.loads(capsys.readouterr().out)[0]
    assert result["ok"] is False and "sha256 mismatch" in result["detail"]
    assert main(["--set", f"home={tmp_path}", "models", "fetch", "yolo11n.pt", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "ModelUnavailableError"


def test_list_text(tmp_path, capsys):
    assert main(["--set", f"home={tmp_path}", "models", "list"]) == 0
    text = capsys.readouterr().out
    assert "qwen2.5-coder-1.5b" in text and "hub" in text


@pytest.mark.slow
def test_models_warm_saves_every_planner_prefix_once(tmp_path):
    """`visreason models warm` (run by make setup): every planner prefix is saved under home/kv; a second
    process finds them all on disk and evaluates nothing (the saved states' key matches)."""
    cmd = [sys.executable, "-m", "agent.cli", "--set", f"home={tmp_path}", "models", "warm",
           "--llm", "gguf:qwen2.5-coder-0.5b", "--json"]
    first = json.loads(subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900, check=True).stdout)
    assert first["prefixes"] >= 6 and first["saved_now"] == first["prefixes"], first
    saved = sorted((tmp_path / "kv").glob("*.kv"))
    assert len(saved) == first["prefixes"]
    again = json.loads(subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900, check=True).stdout)
    assert again["prefixes"] == first["prefixes"] and again["saved_now"] == 0, again
    assert sorted((tmp_path / "kv").glob("*.kv")) == saved
