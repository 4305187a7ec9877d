"""The explanation writer: every value kind in plain words, never a Python repr or a trace record."""

from __future__ import annotations

import pytest

from agent.explain import describe_value, explain, plural

BOXES = {"boxes": [[0, 0, 1, 1]] * 4, "labels": ["person"] * 3 + ["bus"], "scores": [0.9] * 4}


@pytest.mark.parametrize(("value", "words"), [
    (True, "yes"), (False, "no"), (4, "4"), (0.25, "0.25"), ("red", "red"), ("True", "yes"),
    ("a sign that reads open every day", '"a sign that reads open every day"'),
    (BOXES, "3 people, 1 bus"), ({"boxes": [], "labels": []}, "nothing"), ({"image": [810, 1080]}, "the image"),
    ("image 810x1080", "the image"), ({"var": "BOX0", "value": "blue"}, "blue"), (["cat", "dog"], "cat, dog"),
    (None, "nothing"), (object(), "a value"),
])
def test_each_value_kind_in_plain_words(value, words):
    assert describe_value(value) == words


def test_plurals():
    assert [plural("person", 2), plural("bus", 3), plural("cherry", 2), plural("cup", 1)] == [
        "people", "buses", "cherries", "cup"]


def test_a_counting_trace_reads_as_sentences():
    steps = [
        {"module": "LOC", "target": "BOX0", "args": {"image": {"var": "IMAGE", "value": "image 810x1080"},
                                                      "object": "person"}, "output": {"boxes": [[0, 0, 1, 1]] * 4}},
        {"module": "COUNT", "target": "ANSWER0", "args": {"box": {"var": "BOX0", "value": "4 boxes"}}, "output": 4},
        {"module": "EVAL", "target": "ANSWER1", "args": {"expr": "'yes' if {ANSWER0} > 2 else 'no'"}, "output": "yes"},
        {"module": "SCENE", "target": "ANSWER2", "args": {"aspect": "day_night"}, "output": "day"},
        {"module": "RESULT", "target": "FINAL_RESULT", "output": "yes"},
    ]
    text = explain(steps, "yes")
    assert text == ("The detector found 4 people (boxes on the picture); counting them gives 4; checking 'yes' if "
                    "4 > 2 else 'no' gives yes; judging day or night from the picture's light and content gives day. "
                    "The answer is yes.")
    assert "{'var'" not in text and "BOX0" not in text


def test_a_failed_step_and_an_out_of_vocabulary_search_say_so():
    steps = [{"module": "LOC", "args": {"object": "unicorn"}, "output": {"boxes": [], "notes": ["not a COCO class"]}},
             {"module": "OCR", "line": 2, "error": {"message": "no image"}}]
    text = explain(steps, "unknown")
    assert "cannot look for 'unicorn' (not a COCO class)" in text and "step 2 (OCR) failed: no image" in text
