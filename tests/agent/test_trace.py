import base64
import json

from agent.program.interpreter import Interpreter
from agent.trace import StepTrace, Trace, jsonable
from tests.agent.program import toy
from tools.types import Detections, Region, Regions

PROG = ("BOX0=LOC(image=IMAGE,object='dog')\nIMAGE0=CROP(image=IMAGE,box=BOX0)\n"
        "ANSWER0=VQA(image=IMAGE0,question='<script>alert(1)</script> color?')\nFINAL_RESULT=RESULT(var=ANSWER0)")


def _run():
    return Interpreter(toy.registry(), toy.ctx()).run(PROG, {"IMAGE": toy.colored("green", (80, 40))})


def test_to_dict_is_json_and_images_optional():
    run = _run()
    d = run.trace.to_dict()
    json.dumps(d)
    assert d["result"] == "green"
    assert [s["line"] for s in d["steps"]] == [1, 2, 3, 4]
    assert set(d["steps"][0]) >= {"line", "module", "args", "output", "ms"}
    assert "image" not in d["steps"][0]
    with_images = run.trace.to_dict(include_images=True)
    url = with_images["steps"][0]["image"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).startswith(b"\x89PNG")
    assert with_images["steps"][1]["image"]  # the crop itself


def test_html_is_self_contained_and_escaped():
    page = _run().trace.to_html("t<r>ace", question="is it <b>green</b>?", answer="green")
    assert page.startswith("<!doctype html>") and page.count("<img ") == 2
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "t&lt;r&gt;ace" in page and "is it &lt;b&gt;green&lt;/b&gt;?" in page
    assert "http://" not in page and "https://" not in page


def test_error_step_in_html():
    trace = Trace([StepTrace(1, "FAIL", "X", {}, None, "error: boom", 1.0, error={"type": "ToolExecutionError",
                                                                                 "message": "<boom>"})], "X=FAIL()")
    page = trace.to_html()
    assert "&lt;boom&gt;" in page and "<boom>" not in page


def test_jsonable_values():
    det = Detections([[0, 0, 1, 1]], [0.5], ("a",), (2, 2))
    regions = Regions((Region("red", "circle", 3.0, (0, 0, 1, 1), (0.5, 0.5)),), (2, 2))
    assert jsonable(det)["labels"] == ["a"]
    assert jsonable(regions)["regions"][0]["color"] == "red"
    assert jsonable(toy.colored("red", (3, 4))) == {"image": [3, 4]}
    assert jsonable(float("nan")) == "nan"
    assert json.dumps(jsonable({"x": [1, (2, 3)], "y": object()}))
