import json

import pytest
from PIL import Image

import agent.cli_run
import agent.llm.factory
import tools.context
from agent.cli import main
from agent.llm.scripted import ScriptedLLM
from tests.agent.program import toy


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setattr(agent.cli_run, "program_registry", toy.registry)
    monkeypatch.setattr(tools.context, "ToolContext", lambda config, **kw: toy.ctx())
    paths = {}
    for color in ("red", "blue"):
        paths[color] = tmp_path / f"{color}.png"
        toy.colored(color).save(paths[color])
    return tmp_path, paths


def _program(tmp_path, text, name="prog.txt"):
    path = tmp_path / name
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


def test_run_quiet_prints_the_bare_result(setup, capsys):
    tmp, paths = setup
    prog = _program(tmp, "A=VQA(image=IMAGE_0,question='what color?')\nB=VQA(image=IMAGE,question='what color?')\n"
                         "FINAL_RESULT=RESULT(var=B)")
    assert main(["run", "--image", str(paths["blue"]), "--program-file", prog, "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == "blue"


def test_run_prints_steps_like_ask(setup, capsys):
    tmp, paths = setup
    prog = _program(tmp, "BOX0=LOC(image=IMAGE,object='dog')\nANSWER0=COUNT(box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)")
    assert main(["run", "--image", str(paths["red"]), "--program-file", prog]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].strip().startswith("[1] LOC") and "BOX0 = 2 boxes" in lines[0]
    assert lines[1].strip().startswith("[2] COUNT") and lines[2].strip().startswith("[3] RESULT")
    assert "Result: 2" in lines


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


def test_save_image_writes_an_image_result_and_refuses_other_results(setup, capsys):
    tmp, paths = setup
    out = tmp / "out.png"
    prog = _program(tmp, "BOX0=LOC(image=IMAGE,object='cat')\nIMAGE0=CROP(image=IMAGE,box=BOX0)\n"
                         "FINAL_RESULT=RESULT(var=IMAGE0)")
    assert main(["run", "--image", str(paths["red"]), "--program-file", prog, "--save-image", str(out)]) == 0
    assert Image.open(out).size == (8, 20) and "image written to" in capsys.readouterr().out
    count = _program(tmp, "BOX0=LOC(image=IMAGE,object='cat')\nANSWER0=COUNT(box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)",
                     "count.txt")
    assert main(["run", "--image", str(paths["red"]), "--program-file", count, "--save-image",
                 str(tmp / "n.png"), "--json"]) == 2
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["type"] == "InputError" and "not an image" in err["message"] and not (tmp / "n.png").exists()


def test_llm_spec_and_set_reach_the_tools_lazily(tmp_path, monkeypatch, capsys):
    """--llm (and --set llm.*) attach the LLM to LIST/VQA; it is built only when a step calls it."""
    built = []
    scripted = ScriptedLLM(['{"items": ["red", "blue", "red", " green "]}'])

    def fake_shared(config, slot="main"):
        built.append((config.llm.backend, config.llm.model, config.llm.temperature))
        return scripted

    monkeypatch.setattr(agent.llm.factory, "shared_llm", fake_shared)
    img = tmp_path / "x.png"
    toy.colored("red").save(img)
    prog = _program(tmp_path, "LIST0=LIST(query='colors',max=3)\nFINAL_RESULT=RESULT(var=LIST0)")
    assert main(["--set", "llm.temperature=0.5", "run", "--image", str(img), "--program-file", prog,
                 "--llm", "gguf:qwen2.5-coder-0.5b", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out) == ["red", "blue", "green"]
    assert built == [("gguf", "qwen2.5-coder-0.5b", 0.5)]
    assert scripted.calls[0]["json_schema"]["properties"]["items"]["maxItems"] == 3
    built.clear()
    count = _program(tmp_path, "BOX0=LOC(image=IMAGE,object='LEFT')\nFINAL_RESULT=RESULT(var=BOX0)", "count.txt")
    assert main(["run", "--image", str(img), "--program-file", count, "--llm", "gguf:x", "--quiet"]) == 0
    assert built == []  # no step asked the LLM: nothing was loaded
    assert main(["run", "--image", str(img), "--program-file", prog, "--no-llm", "--json"]) == 2
    err = json.loads(capsys.readouterr().out.splitlines()[-1])["error"]
    assert err["type"] == "ToolExecutionError" and "LIST needs an LLM" in err["message"]
