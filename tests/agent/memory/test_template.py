"""Slot masking and filling: which words vary between questions of one shape, and how programs follow."""

from __future__ import annotations

import pytest

from agent.memory.template import fill, make_template, parse_question

COUNT = "BOX0=LOC(image=IMAGE,object='dog')\nANSWER0=COUNT(box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)"
COMPARE = ("BOX0=LOC(image=IMAGE,object='person')\nANSWER0=COUNT(box=BOX0)\nBOX1=LOC(image=IMAGE,object='car')\n"
           "ANSWER1=COUNT(box=BOX1)\nANSWER2=EVAL(expr=\"'yes' if {ANSWER0} > {ANSWER1} else 'no'\")\n"
           "FINAL_RESULT=RESULT(var=ANSWER2)")
IS_COLOUR = ("BOX0=LOC(image=IMAGE,object='umbrella')\nANSWER0=COLOR(image=IMAGE,box=BOX0)\n"
             "ANSWER1=EVAL(expr=\"'yes' if '{ANSWER0}' == 'red' else 'no'\")\nFINAL_RESULT=RESULT(var=ANSWER1)")
EXACTLY = ("BOX0=LOC(image=IMAGE,object='horse')\nANSWER0=COUNT(box=BOX0)\n"
           "ANSWER1=EVAL(expr=\"'yes' if {ANSWER0} == 2 else 'no'\")\nFINAL_RESULT=RESULT(var=ANSWER1)")


def test_slot_words_are_found_by_kind():
    parsed = parse_question("Is the red double-decker bus next to 'GATE 5' and two people?")
    kinds = [(m.kind, m.value) for m in parsed.mentions]
    assert ("COL", "red") in kinds
    assert ("OBJ", "bus") in kinds
    assert ("TXT", "gate 5") in kinds
    assert ("NUM", "2") in kinds and ("OBJ", "person") in kinds


def test_masking_replaces_only_slot_words():
    t = make_template("How many dogs are there?", COUNT, 1)
    assert t.slots == ("OBJ",)
    assert t.key == ("how", "many", "«OBJ»", "are", "there")
    assert "«OBJ0»" in t.program and "'dog'" not in t.program


def test_fill_uses_the_detector_label_of_the_new_word():
    t = make_template("How many dogs are there?", COUNT, 1)
    program = fill(t, "How many women can you see in the picture?")
    assert program is not None and "object='person'" in program


def test_fill_keeps_slot_order_for_two_objects():
    t = make_template("Are there more people than cars?", COMPARE, 1)
    program = fill(t, "Are there more ties than people?")
    assert program.index("object='tie'") < program.index("object='person'")


def test_colour_and_number_slots_fill_inside_eval():
    t = make_template("Is the umbrella red?", IS_COLOUR, 1)
    assert "== 'blue'" in fill(t, "Is the bus blue?")
    t = make_template("Are there exactly two horses?", EXACTLY, 1)
    assert "== 4" in fill(t, "Are there exactly four cats?")


@pytest.mark.parametrize("question", [
    "Are there fewer people than cars?",          # a different operator word
    "How many people are next to the bus?",       # a second object the template does not use
    "What color is the bus?",                     # another question shape
    "Are there more people than cars on the left?",
])
def test_no_fill_when_the_question_differs_beyond_its_slots(question):
    t = make_template("Are there more people than cars?", COMPARE, 1) if "more" in question else \
        make_template("How many dogs are there?", COUNT, 1)
    assert fill(t, question) is None


def test_a_number_the_program_does_not_use_stays_a_fixed_word():
    program = ("BOX0=LOC(image=LEFT,object='cat')\nANSWER0=COUNT(box=BOX0)\nBOX1=LOC(image=RIGHT,object='cat')\n"
               "ANSWER1=COUNT(box=BOX1)\nANSWER2=EVAL(expr=\"{ANSWER0} > 0 xor {ANSWER1} > 0\")\n"
               "FINAL_RESULT=RESULT(var=ANSWER2)")
    t = make_template("There is a cat in exactly one of the images.", program, 2)
    assert t.slots == ("OBJ",)
    assert fill(t, "There is a dog in exactly one of the images.") is not None
    assert fill(t, "There is a dog in exactly two of the images.") is None


def test_whole_question_literal_becomes_the_question_slot():
    program = "ANSWER0=VQA(image=IMAGE,question='What is the man holding?')\nFINAL_RESULT=RESULT(var=ANSWER0)"
    t = make_template("What is the man holding?", program, 1)
    out = fill(t, "What is the woman holding?")
    assert "question='What is the woman holding?'" in out


def test_filled_values_cannot_break_out_of_their_literal():
    from agent.program.parser import parse_program

    program = ("ANSWER0=OCR(image=IMAGE)\nANSWER1=EVAL(expr=\"'yes' if 'open' in {ANSWER0} else 'no'\")\n"
               "FINAL_RESULT=RESULT(var=ANSWER1)")
    t = make_template("Does the sign say 'open'?", program, 1)
    assert t.slots == ("TXT",)
    # A quoted span cannot contain quotes, so this falls back to the LLM (no template) ...
    assert fill(t, "Does the sign say \"x' + __import__('os').name + '\"?") is None
    # ... and braces, backslashes and the like inside a span never survive into the literal.
    out = fill(t, 'Does the sign say "x} + __import__(os) + {ANSWER0\\"?')
    assert out is not None
    assert out.count("'") == program.count("'") and out.count("{") == program.count("{") and "\\" not in out
    parse_program(out)  # still a plain program: the attack text is one string literal
