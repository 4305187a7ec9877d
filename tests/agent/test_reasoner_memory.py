"""End to end with real tools and the real MiniLM embedder: questions planned from the program memory.

The LLM is a scripted double with no replies: any LLM call would raise, so these tests prove that
a confident memory match answers with no LLM call at all, and that learning survives a restart.
"""

from __future__ import annotations

import pytest

from agent.config import load_config
from agent.errors import LLMError
from agent.llm.scripted import ScriptedLLM
from agent.reasoner import Reasoner


@pytest.fixture(scope="module")
def bus():
    from ultralytics.utils import ASSETS

    return str(ASSETS / "bus.jpg")


def _reasoner(tmp_path, replies=()):
    config = load_config(overrides={"memory.path": str(tmp_path / "memory")})
    return Reasoner(config, llm=ScriptedLLM(list(replies)))


@pytest.mark.slow
def test_a_seed_template_answers_without_any_llm_call(tmp_path, bus):
    r = _reasoner(tmp_path)
    events = list(r.stream("How many buses can be seen in this picture?", [bus]))
    answer = events[-1]["answer"]
    assert answer.answer == "1"
    assert answer.planned_by["source"] == "memory" and answer.planned_by["similarity"] >= 0.65
    assert any(e["type"] == "status" and e["text"].startswith("program from memory: template") for e in events)
    assert "llm_s" not in answer.timings
    assert "detector found 1 bus" in answer.explanation


@pytest.mark.slow
def test_an_unmatched_question_goes_to_the_llm(tmp_path, bus):
    r = _reasoner(tmp_path)  # no scripted replies: reaching the LLM raises
    with pytest.raises(LLMError):
        r.ask("Which city name is written on the bus?", [bus])


@pytest.mark.slow
def test_a_learned_program_is_reused_after_a_restart(tmp_path, bus):
    program = ("BOX0=LOC(image=IMAGE,object='bus')\nIMAGE0=CROP(image=IMAGE,box=BOX0)\nANSWER0=OCR(image=IMAGE0)\n"
               "FINAL_RESULT=RESULT(var=ANSWER0)")
    refine = '{"answer": "madrid", "explanation": "read on the bus"}'  # free text may go through the refiner
    first = _reasoner(tmp_path, [program, refine])
    answer = first.ask("Which words are painted on the bus?", [bus])
    assert answer.planned_by["source"] == "llm"
    assert first.learn(answer) is not None
    second = _reasoner(tmp_path, [refine])  # a new Reasoner over the same memory folder
    again = second.ask("Which words are painted on the bus?", [bus])
    assert again.planned_by["source"] == "memory" and again.program == answer.program
    assert all(call["grammar"] is None for call in second.llm.calls)  # no program was written by the LLM
