"""Category and scene questions get a fixed program by rule (no LLM), and only those questions do."""

from __future__ import annotations

import pytest

from agent.question_rules import category_word, family_program, scene_aspect


@pytest.mark.parametrize(("question", "word"), [
    ("What animal is this?", "animal"), ("What type of animal is shown?", "animal"),
    ("Which vehicle is in the picture?", "vehicle"), ("What drink is in the cup?", "drink"),
    ("What kind of food is on the plate?", "food"), ("What is the animal in the picture?", "animal"),
    ("Which fruit can be seen?", "fruit"), ("What beverage is this?", "drink"),
])
def test_category_questions(question, word):
    assert category_word(question) == word
    assert family_program(question, ["IMAGE"]) == (
        "category", f"ANSWER0=CLASSIFY(image=IMAGE,categories=['{word}'])\nFINAL_RESULT=RESULT(var=ANSWER0)")


@pytest.mark.parametrize("question", [
    "What is the person holding?", "What color is the bus?", "How many animals are there?", "Is there a vehicle?",
    "What is the man wearing?", "Which dog is bigger?", "What is written on the sign?", "Is the cat inside the box?",
])
def test_other_questions_are_left_to_the_planner(question):
    assert family_program(question, ["IMAGE"]) is None


def test_scene_questions_offer_alternatives_or_ask_yes_no():
    assert scene_aspect("Was this photo taken during the day or at night?") == ("day_night", None)
    assert scene_aspect("Is this picture taken indoors or outdoors?") == ("indoor_outdoor", None)
    assert scene_aspect("What time of day is it in this photo?") == ("day_night", None)
    assert scene_aspect("Was the picture taken at night?") == ("day_night", "night")
    assert scene_aspect("Is this photo taken outside?") == ("indoor_outdoor", "outdoor")
    assert scene_aspect("How many windows are lit at night?") is None


def test_two_images_are_left_to_the_planner():
    assert family_program("What animal is this?", ["LEFT", "RIGHT"]) is None


@pytest.mark.slow
def test_rule_programs_answer_in_the_question_s_terms(tmp_path):
    """End to end with the real classifier and scene tools; the LLM is a double that must not be called."""
    from PIL import Image
    from skimage.data import chelsea
    from ultralytics.utils import ASSETS

    from agent.config import load_config
    from agent.llm.scripted import ScriptedLLM
    from agent.reasoner import Reasoner

    r = Reasoner(load_config(overrides={"memory.path": str(tmp_path / "m")}), llm=ScriptedLLM([]))
    cat = r.ask("What animal is this?", [Image.fromarray(chelsea())], render_images=False)
    assert cat.answer == "cat" and cat.planned_by == {"source": "rule", "rule": "category"}
    night = r.ask("Was the picture taken at night?", [str(ASSETS / "bus.jpg")], render_images=False)
    assert night.answer == "no" and "llm_s" not in night.timings


@pytest.mark.parametrize(("question", "words"), [
    ("Does the menu list tea?", "tea"), ("Does the text on the page mention coins?", "coins"),
    ('Does the sign say "no parking"?', "no parking"), ("Does the label read FRAGILE?", "fragile"),
    ("Does this poster mention the word concert?", "concert"),
])
def test_text_contains_questions_read_then_look_for_the_words(question, words):
    from agent.question_rules import text_words

    assert text_words(question) == words
    assert family_program(question, ["IMAGE"]) == (
        "text", f"TEXT0=OCR(image=IMAGE)\nANSWER0=EVAL(expr=\"'yes' if '{words}' in {{TEXT0}} else 'no'\")\n"
                "FINAL_RESULT=RESULT(var=ANSWER0)")


@pytest.mark.parametrize("question", [
    "Does the page mention {x}?", "Does the sign say it's open?", "Does the menu list '); import os'?",
    "Does the dog look happy?", "Does the bus say 'cero emisiones'?", "What does the menu list?",
])
def test_text_rule_leaves_other_or_unsafe_wordings_alone(question):
    from agent.question_rules import text_words

    assert text_words(question) is None
    assert family_program(question, ["IMAGE"]) is None


def test_text_rule_needs_one_image():
    assert family_program("Does the menu list tea?", ["LEFT", "RIGHT"]) is None
