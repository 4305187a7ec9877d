import json

import pytest

import agent.cli_run
import tools.context
from agent.cli import main
from tests.agent.program import toy


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setattr(agent.cli_run, "default_registry", toy.registry)
    monkeypatch.setattr(tools.context, "ToolContext", lambda config: toy.ctx())
    paths = {}
    for color in ("red", "blue"):
        paths[color] = tmp_path / f"{color}.png"
        toy.colored(color).save(paths[color])
    return tmp_path, paths


def _program(tmp_path, text):
    path = tmp_path / "prog.txt"
    path.write_text(text)
    return str(path)


def test_run_json_two_images(setup, capsys):
    tmp, paths = setup
    prog = _program(tmp, "ANSWER0=VQA(image=LEFT,question='red?')\nANSWER1=VQA(image=RIGHT,question='red?')\n"
                         "ANSWER2=EVAL(expr=\"{ANSWER0} xor {ANSWER1}\")\nFINAL_ANSWER=RESULT(var=ANSWER2)\n")
    html = tmp / "trace.html"
    code = main(["run", "--image", str(paths["red"]), "--image", str(paths["blue"]), "--program-file", prog,
                 "--json", "--html", str(html)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["result"] is True
    assert [s["module"] for s in out["steps"]] == ["VQA", "VQA", "EVAL", "RESULT"]
    assert all({"line", "module", "args", "output", "ms"} <= set(s) for s in out["steps"])
    assert html.read_text().startswith("<!doctype html>")


def test_run_plain_single_image_numbered_alias(setup, capsys):
    tmp, paths = setup
    prog = _program(tmp, "A=VQA(image=IMAGE_0,question='what color?')\nB=VQA(image=IMAGE,question='what color?')\n"
                         "FINAL_RESULT=RESULT(var=B)")
    assert main(["run", "--image", str(paths["blue"]), "--program-file", prog]) == 0
    assert capsys.readouterr().out.strip() == "blue"


def test_run_program_error_json(setup, capsys):
    tmp, paths = setup
    prog = _program(tmp, "BOX0=LOC(image=IMAGE,object='dog')\nX=NOPE(box=BOX0)\n")
    assert main(["run", "--image", str(paths["red"]), "--program-file", prog, "--json"]) == 2
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["type"] == "UnknownModuleError" and err["line"] == 2 and err["message"]


def test_run_missing_program_file(setup, capsys):
    tmp, paths = setup
    assert main(["run", "--image", str(paths["red"]), "--program-file", str(tmp / "missing.txt"), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "InputError"


def test_run_bad_image(setup, capsys):
    tmp, _ = setup
    bad = tmp / "bad.png"
    bad.write_bytes(b"not an image")
    prog = _program(tmp, "FINAL_RESULT=RESULT(var=IMAGE)")
    assert main(["run", "--image", str(bad), "--program-file", prog, "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "ImageError"
