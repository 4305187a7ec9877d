"""VisProg parity: VisProg's own programs, written as VisProg writes them, run here.

The example programs come from allenai/visprog's prompt files (tests/agent/program/visprog_programs.py
lists them as data). Tests of the four task families run them on the sample photos.
"""

from __future__ import annotations

import pytest

from agent.errors import ArgumentError
from tools.describe import FactAnswer
from tools.expr import evaluate


@pytest.mark.parametrize(("expr", "variables", "message"), [
    ("{ANSWER0} >= 2", {"ANSWER0": FactAnswer("unknown")}, "ANSWER0 is 'unknown', not a number"),
    ("{ANSWER0} + {ANSWER1} == 1", {"ANSWER0": FactAnswer("1"), "ANSWER1": FactAnswer("unknown")},
     "ANSWER1 is 'unknown', not a number"),
    ("ANSWER0 - 1", {"ANSWER0": "unknown"}, "ANSWER0 is 'unknown', not a number"),
])
def test_eval_on_an_unknown_answer_names_the_variable(expr, variables, message):
    with pytest.raises(ArgumentError) as err:
        evaluate(expr, variables)
    assert message in err.value.message
    assert "FactAnswer" not in err.value.message and "str" not in err.value.message.split("EVAL:")[1].split()[0]


def test_eval_still_joins_text_and_compares_numbers():
    assert evaluate("'count: ' + {ANSWER0}", {"ANSWER0": 3}) == "count: 3"
    assert evaluate("{ANSWER0} + {ANSWER1} == 1", {"ANSWER0": FactAnswer("1"), "ANSWER1": FactAnswer("0")}) is True
    assert evaluate("{ANSWER0} == 2 and {ANSWER1}", {"ANSWER0": "unknown", "ANSWER1": "yes"}) is False


# --- VisProg's published programs -----------------------------------------------------------------------------

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from agent.errors import ModelUnavailableError, ProgramSyntaxError, UndefinedVariableError  # noqa: E402
from agent.program.interpreter import Interpreter  # noqa: E402
from agent.program.parser import check_program, parse_program  # noqa: E402
from tests.agent.program.visprog_programs import PROGRAMS  # noqa: E402
from tools.catalog import program_registry  # noqa: E402

BROKEN_IN_VISPROG = {("gqa", 2): UndefinedVariableError, ("gqa", 18): ProgramSyntaxError,
                     ("gqa", 20): ProgramSyntaxError}


def _program(family: str, number: int) -> str:
    return next(p.program for p in PROGRAMS if (p.family, p.number) == (family, number))


def test_every_published_program_passes_the_static_check_except_visprogs_own_slips():
    registry = program_registry()
    assert len(PROGRAMS) == 55
    for p in PROGRAMS:
        inputs = ("LEFT", "RIGHT", "IMAGE_0", "IMAGE_1") if p.family == "nlvr" else ("IMAGE", "IMAGE_0")
        broken = BROKEN_IN_VISPROG.get((p.family, p.number))
        if broken is None:
            check_program(parse_program(p.program), registry, inputs)
        else:
            with pytest.raises(broken) as err:
                check_program(parse_program(p.program), registry, inputs)
            assert err.value.line is not None


@pytest.fixture(scope="module")
def photos():
    from benchmarks.sample_images import ensure_images

    folder = ensure_images()
    return {name: Image.open(folder / name).convert("RGB") for name in ("bus.jpg", "zidane.jpg")}


@pytest.fixture(scope="module")
def run():
    from agent.config import load_config
    from agent.llm.factory import shared_llm
    from tools.cache import ToolCache
    from tools.context import ToolContext

    config = load_config().replace(**{"budgets.program_seconds": 900})  # several CPU VQA calls on a shared machine
    ctx = ToolContext(config=config, llm=shared_llm(config, slot="aux"), cache=ToolCache())
    interpreter = Interpreter(program_registry(), ctx, config.budgets)
    return interpreter.run


def _warnings(result) -> list[str]:
    return [f for s in result.trace.steps for f in (s.facts or ()) if f.startswith("warning:")]


@pytest.mark.slow
def test_gqa_family(run, photos):
    bus = {"IMAGE": photos["bus.jpg"]}
    assert run(_program("gqa", 9), bus).result in {"left", "right"}  # "Which side is the food on?"
    counted = run("BOX0=LOC(image=IMAGE,object='TOP')\nIMAGE0=CROP(image=IMAGE,box=BOX0)\n"
                  "BOX1=LOC(image=IMAGE0,object='people')\nANSWER0=COUNT(box=BOX1)\n"
                  "ANSWER1=EVAL(expr=\"'yes' if {ANSWER0} > 0 else 'no'\")\nFINAL_RESULT=RESULT(var=ANSWER1)", bus)
    assert counted.result == "yes"  # people's heads are in the top half of bus.jpg
    asked = run(_program("gqa", 3), bus)  # "Who is carrying the umbrella?": a crop, then VQA from its facts
    assert isinstance(asked.result, str) and asked.result.strip()
    assert [s.module for s in asked.trace.steps] == ["LOC", "CROP", "VQA", "RESULT"]


@pytest.mark.slow
def test_nlvr_family_two_images(run, photos):
    pair = {"LEFT": photos["bus.jpg"], "RIGHT": photos["zidane.jpg"]}
    statement = run("ANSWER0=VQA(image=LEFT,question='How many people are in the image?')\n"
                    "ANSWER1=VQA(image=RIGHT,question='How many people are in the image?')\n"
                    "ANSWER2=EVAL(expr='{ANSWER0} + {ANSWER1} >= 5')\nFINAL_ANSWER=RESULT(var=ANSWER2)", pair)
    assert statement.result is True  # "There are at least five people": 4 in bus.jpg and 2 in zidane.jpg
    published = run(_program("nlvr", 6), pair)  # VisProg's Image=RIGHT and unescaped "Disney's" included
    assert isinstance(published.result, bool)


@pytest.mark.slow
def test_knowtag_family_faces_offline_are_returned_untagged_with_a_warning(run, photos):
    zidane = {"IMAGE": photos["zidane.jpg"]}
    tagged = run(_program("knowtag", 1), zidane)  # Tag the presidents of US
    assert isinstance(tagged.result, Image.Image) and tagged.result.size == photos["zidane.jpg"].size
    listed = tagged.variables["LIST0"]
    assert isinstance(listed, list) and 1 <= len(listed) <= 20 and all(isinstance(i, str) for i in listed)
    classified = tagged.variables["OBJ1"]
    assert classified.labels == ("face",) * len(classified) and len(classified) >= 1
    assert any("needs CLIP" in w for w in _warnings(tagged))


@pytest.mark.slow
def test_imgedit_family(run, photos):
    bus_img = photos["bus.jpg"]
    bus = {"IMAGE": bus_img}
    popped = run("OBJ0=SEG(image=IMAGE)\nOBJ1=SELECT(image=IMAGE,object=OBJ0,query='girl,bus',category=None)\n"
                 "IMAGE0=COLORPOP(image=IMAGE,object=OBJ1)\nFINAL_RESULT=RESULT(var=IMAGE0)", bus)
    out, src = np.asarray(popped.result).astype(int), np.asarray(bus_img).astype(int)
    kept = popped.variables["OBJ1"].masks.any(axis=0)
    road = popped.variables["OBJ0"].masks[popped.variables["OBJ0"].labels.index("road")]
    assert np.abs(out[kept] - src[kept]).mean() < 3  # the bus and the people keep their colours
    assert np.ptp(out[road & ~kept], axis=1).mean() < 2  # the road turned grey

    blurred = run(_program("imgedit", 7), bus)  # Select the red bus and blur the background
    sel = blurred.variables["OBJ1"]
    assert sel.labels == ("bus",) and any("no 'bus' here is red" in w for w in _warnings(blurred))
    grey = np.asarray(blurred.result.convert("L")).astype(float)
    src_grey = np.asarray(bus_img.convert("L")).astype(float)
    road = blurred.variables["OBJ0"].masks[blurred.variables["OBJ0"].labels.index("road")]
    assert np.abs(np.diff(grey, axis=1))[road[:, 1:]].mean() < 0.6 * np.abs(np.diff(src_grey, axis=1))[road[:, 1:]].mean()

    faces = run("OBJ0=FACEDET(image=IMAGE)\nOBJ1=SELECT(image=IMAGE,object=OBJ0,query='face',category=None)\n"
                "IMAGE0=EMOJI(image=IMAGE,object=OBJ1,emoji='face_with_tongue')\nFINAL_RESULT=RESULT(var=IMAGE0)",
                {"IMAGE": photos["zidane.jpg"]})
    x1, y1, x2, y2 = faces.variables["OBJ1"].boxes[0].astype(int)
    patch = np.asarray(faces.result).astype(int)[y1:y2, x1:x2]
    assert ((patch[..., 0] > 180) & (patch[..., 1] > 130) & (patch[..., 2] < 100)).mean() > 0.4  # emoji yellow

    with pytest.raises(ModelUnavailableError) as err:  # Replace the red bus (bus) with a truck: no inpainter here
        run(_program("imgedit", 10), bus)
    assert err.value.line == 3 and "edit.inpaint_model" in err.value.hint


@pytest.mark.slow
def test_visreason_run_writes_the_edited_image(tmp_path, capsys):
    from agent.cli import main
    from benchmarks.sample_images import ensure_images

    prog = tmp_path / "edit.txt"
    prog.write_text("OBJ0=SEG(image=IMAGE)\nOBJ1=SELECT(image=IMAGE,object=OBJ0,query='bus',category=None)\n"
                    "IMAGE0=BGBLUR(image=IMAGE,object=OBJ1)\nFINAL_RESULT=RESULT(var=IMAGE0)\n")
    out, html = tmp_path / "edited.png", tmp_path / "trace.html"
    src = ensure_images() / "bus.jpg"
    assert main(["run", "--image", str(src), "--program-file", str(prog), "--save-image", str(out),
                 "--html", str(html), "--no-llm"]) == 0
    printed = capsys.readouterr().out
    assert "[3] BGBLUR" in printed and "image written to" in printed
    edited, original = Image.open(out), Image.open(src)
    assert edited.size == original.size and edited.tobytes() != original.convert("RGB").tobytes()
    assert html.read_text().count("data:image/png;base64,") >= 3  # SEG, SELECT and BGBLUR pictures
