"""SHAPES / SHAPE_ATTR on drawn diagrams and on easy-VQA test pictures (REGIONS underneath)."""

import numpy as np
from PIL import Image, ImageDraw

from tools.catalog import default_registry
from tools.shapes import parse_shape_query, shape_attr, shapes


def _diagram() -> Image.Image:
    img = Image.new("RGB", (300, 200), (250, 245, 235))
    draw = ImageDraw.Draw(img)
    draw.ellipse((20, 30, 90, 100), fill=(255, 0, 0))
    draw.rectangle((180, 20, 270, 80), fill=(0, 128, 128))
    draw.polygon([(150, 190), (190, 120), (230, 190)], fill=(165, 42, 42))  # CSS 'brown'
    draw.ellipse((30, 150, 60, 180), fill=(0, 0, 255))
    return img


def test_query_words():
    assert parse_shape_query("big red circles") == ({"red"}, {"circle"})
    assert parse_shape_query("grey squares") == ({"gray"}, {"rectangle"})
    assert parse_shape_query("shape") == (set(), set())


def test_shapes_find_count_and_describe(ctx):
    img = _diagram()
    every = shapes(ctx, img)
    assert sorted(every.labels) == ["blue circle", "brown triangle", "red circle", "teal rectangle"]
    assert len(shapes(ctx, img, "circle")) == 2 and len(shapes(ctx, img, "red")) == 1
    assert len(shapes(ctx, img, "green triangle")) == 0
    assert shape_attr(ctx, shapes(ctx, img, "red"), "shape") == "circle"
    assert shape_attr(ctx, shapes(ctx, img, "triangle"), "color") == "brown"
    assert shape_attr(ctx, shapes(ctx, img, "teal"), "position") == "top right"
    assert shape_attr(ctx, shapes(ctx, img, "blue"), "position") == "bottom left"
    assert shape_attr(ctx, shapes(ctx, img, "yellow"), "color") == "none"


def test_a_colour_question_runs_as_a_program(ctx):
    from agent.program.interpreter import Interpreter

    program = ("BOX0=SHAPES(image=IMAGE,query='red circle')\nANSWER0=COUNT(box=BOX0)\n"
               "ANSWER1=EVAL(expr=\"'yes' if {ANSWER0} > 0 else 'no'\")\nFINAL_RESULT=RESULT(var=ANSWER1)")
    assert Interpreter(default_registry(), ctx).run(program, {"IMAGE": _diagram()}).result == "yes"


def test_easy_vqa_test_sample(ctx):
    """40 easy-VQA TEST-split questions (64 px pictures, small shapes): the reference programs reach 90%."""
    from benchmarks.easyvqa.run_easyvqa import evaluate, pick

    report = evaluate(pick("test", 40, seed=5))
    assert report["accuracy"] >= 0.9, report["wrong"]


def test_small_shapes_keep_their_corners(ctx):
    img = Image.new("RGB", (64, 64), (240, 250, 245))
    ImageDraw.Draw(img).polygon([(20, 30), (26, 20), (32, 30)], fill=(0, 0, 0))  # a 12 px triangle
    found = shapes(ctx, img)
    assert found.labels == ("black triangle",), found.labels
    assert np.allclose(found.boxes[0], [20, 20, 32, 30], atol=2)


def test_loc_with_a_shape_word_reads_as_shapes_and_a_bare_colour_explains_itself(ctx):
    from tools.locate import loc

    img = _diagram()
    found = loc(ctx, img, "red circle")
    assert found.labels == ("red circle",) and "SHAPES" in found.notes[-1]
    assert len(loc(ctx, img, "triangles")) == 1
    bare = loc(ctx, img, "red")
    assert len(bare) == 0 and "is a colour" in bare.notes[-1]
