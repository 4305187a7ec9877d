"""The loop end to end on near-miss documents: which document answers is decided by what the vision tools saw
(the detector's label and the object's colour, or OCR text alone), not by the question, which is the same each time.

The scripted reader copies the first year from the first document block it is shown, so the answer is whatever
document the loop's identification and ranking put first."""

import json
import re

import pytest
from PIL import Image

from agent.llm.scripted import ScriptedLLM
from retrieval.identify import Percept, SeenObject
from retrieval.kb import KnowledgeBase
from retrieval.loop import adaptive_search

QUESTION = "When was the company that runs this vehicle founded?"


@pytest.fixture
def near_miss_kb(tmp_path, bow_config, kb_kwargs):
    src = tmp_path / "near"
    src.mkdir()
    (src / "verde.md").write_text("Verde Express runs the green buses of the north, fleet numbers VX 1 to VX 40.\n\n"
                                  "Verde Express was founded in 1950.\n")
    (src / "azul.md").write_text("Azul Lines runs the blue buses of the city.\n\n"
                                 "Azul Lines was founded in 1931.\n")
    (src / "ferry.md").write_text("The ferry Margit crosses the lake every hour. Lake Boats has run it since 1977.\n")
    return KnowledgeBase.build(src, tmp_path / "kb", bow_config, progress=False, **kb_kwargs)


def first_block_reader(messages):
    user = messages[-1]["content"]
    blocks = user.split("<<<DOC id=")[1:]
    if not blocks:
        return json.dumps({"answer": "unknown", "doc": ""})
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", blocks[0])
    return json.dumps({"answer": year.group(1) if year else "unknown", "doc": blocks[0].split(" ", 1)[0]})


def ask(kb, percept):
    stop = json.dumps({"action": "answer", "query": "", "focus": ""})
    llm = ScriptedLLM([first_block_reader] * 4 + [stop] * 4)
    image = Image.new("RGB", (40, 30), (128, 128, 128))  # the KB has no photos: identification is the tools'
    return adaptive_search(QUESTION, kb, llm, image=image, perceiver=lambda img: percept,
                           locate=lambda img, label: None)


@pytest.mark.parametrize(("percept", "year", "source"), [
    (Percept(objects=(SeenObject("bus", 0.9, (0, 0, 40, 30), colour="blue"),)), "1931", "azul.md"),
    (Percept(objects=(SeenObject("bus", 0.9, (0, 0, 40, 30), colour="green"),)), "1950", "verde.md"),
    (Percept(text="VX 12  VERDE"), "1950", "verde.md"),
    (Percept(objects=(SeenObject("boat", 0.8, (0, 0, 40, 30), text="MARGIT"),)), "1977", "ferry.md"),
], ids=["detector+blue", "detector+green", "ocr-only", "ocr-on-object"])
def test_what_the_tools_saw_picks_the_document(near_miss_kb, percept, year, source):
    result = ask(near_miss_kb, percept)
    assert result.answer == year, (result.answer, result.sub_answers)
    assert result.citations and result.citations[0]["source"].endswith(source)
    assert result.citations[0]["span"] == year and year in result.citations[0]["quote"]
