"""The engine on the real default tool set (YOLOX-Nano, colour naming), kept cheap."""

import re

import pytest
from PIL import Image

from agent.config import Config
from agent.program import check_program, parse_program
from agent.program.interpreter import Interpreter
from tests.tools.test_grammar import gbnf_to_regex
from tools.catalog import default_registry
from tools.context import ToolContext
from tools.grammar import program_grammar

PROGRAM = """BOX0=LOC(image=IMAGE,object='bus')
ANSWER0=COUNT(box=BOX0)
IMAGE0=CROP(image=IMAGE,box=BOX0)
ANSWER1=COLOR(image=IMAGE0)
ANSWER2=EVAL(expr="'yes' if {ANSWER0} > 0 else 'no'")
FINAL_RESULT=RESULT(var=ANSWER2)
"""


def test_default_registry_program_checks_and_matches_grammar():
    registry = default_registry()
    check_program(parse_program(PROGRAM), registry)
    grammar = program_grammar(registry, max_lines=8)
    assert re.fullmatch(gbnf_to_regex(grammar), PROGRAM, flags=re.S)


@pytest.mark.slow
def test_bus_photo_end_to_end():
    from ultralytics.utils import ASSETS

    image = Image.open(ASSETS / "bus.jpg").convert("RGB")
    image.thumbnail((480, 480))
    run = Interpreter(default_registry(), ToolContext(config=Config())).run(PROGRAM, {"IMAGE": image})
    assert run.result == "yes"
    assert run.variables["ANSWER0"] >= 1
    assert isinstance(run.variables["ANSWER1"], str) and run.variables["ANSWER1"]
    assert run.trace.steps[0].picture() is not None  # boxes drawn on the photo
    assert run.seconds >= run.tool_seconds
