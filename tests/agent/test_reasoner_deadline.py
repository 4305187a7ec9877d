"""The question's time budget reaches inside LLM calls, the stream is never silent, and one model spec
works in ``Reasoner(llm=...)``.

The LLM doubles here write slowly (a token every 0.1 s) and honour ``deadline`` / ``on_token`` the way
the real backends do. Before this change a call ran to its end whatever the budget, and the stream
said nothing between "writing a program" and the program.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image

from agent.config import load_config
from agent.errors import InputError
from agent.llm.base import LLMReply
from agent.reasoner import Reasoner

PROGRAM = "BOX0=LOC(image=IMAGE,object='person')\nANSWER0=COUNT(box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)\n"


class SlowLLM:
    """Writes ``PROGRAM`` padded with many spaces, one token per ``pause`` seconds."""

    name = "slow"

    def __init__(self, pause: float = 0.1, tokens: int = 400) -> None:
        self.pause, self.tokens, self.calls = pause, tokens, []

    def chat(self, messages, *, grammar=None, json_schema=None, max_tokens=256, stop=None, temperature=None,
             deadline=None, on_token=None) -> LLMReply:
        self.calls.append({"deadline": deadline})
        pieces = [PROGRAM[i:i + 4] for i in range(0, len(PROGRAM), 4)] + [" "] * self.tokens
        text = ""
        for piece in pieces:
            if deadline is not None and time.monotonic() >= deadline:
                return LLMReply(text=text, backend=self.name, stopped="deadline")
            time.sleep(self.pause)
            text += piece
            if on_token is not None:
                on_token(piece)
        return LLMReply(text=text, backend=self.name)


class OldStyleLLM:
    """A user's backend written before ``deadline`` and ``on_token`` existed."""

    name = "old"

    def chat(self, messages, *, grammar=None, json_schema=None, max_tokens=256, stop=None, temperature=None):
        return LLMReply(text=PROGRAM, backend=self.name)


def _image(tmp_path):
    path = tmp_path / "grey.png"
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(path)
    return str(path)


def _config(seconds: float):
    return load_config(overrides={"memory.enabled": False, "budgets.agent_seconds": seconds})


def test_a_slow_llm_call_stops_at_the_question_budget(tmp_path):
    llm = SlowLLM()  # the whole reply would take 40 s
    r = Reasoner(_config(2.0), llm=llm)
    r.warm_up()  # loading is outside the budget (see below): time the question alone
    started = time.monotonic()
    answer = r.ask("How many people are there?", [_image(tmp_path)], render_images=False)
    took = time.monotonic() - started
    assert took < 6.0, f"the budget is 2 s, the question took {took:.1f} s"
    assert llm.calls and llm.calls[0]["deadline"] is not None
    assert any("budget exhausted" in w for w in answer.warnings), answer.warnings


def test_the_stream_is_never_silent_and_shows_the_text_so_far(tmp_path):
    llm = SlowLLM(pause=0.15, tokens=0)  # ~8 s for the program, then the tools
    r = Reasoner(_config(60.0), llm=llm)
    last, gaps, progress = time.monotonic(), [], []
    for event in r.stream("How many people are there?", [_image(tmp_path)], render_images=False):
        now = time.monotonic()
        gaps.append(now - last)
        last = now
        if event["type"] == "progress":
            progress.append(event)
    assert max(gaps) < 2.5, f"the stream was silent for {max(gaps):.1f} s"
    assert len(progress) >= 3
    writing = [p for p in progress if p["phase"] == "writing a program"]
    assert writing and writing[-1]["elapsed_s"] > writing[0]["elapsed_s"]
    assert any("LOC(" in p["partial"] for p in writing), "the program's text arrives as it is written"


def test_an_old_style_llm_object_is_called_without_the_new_keywords(tmp_path):
    answer = Reasoner(_config(60.0), llm=OldStyleLLM()).ask("How many people are there?", [_image(tmp_path)],
                                                            render_images=False)
    assert answer.answer == "0"


def test_a_model_spec_string_picks_the_backend_without_loading_it():
    r = Reasoner(load_config(), llm="gguf:qwen2.5-coder-0.5b")
    assert (r.config.llm.backend, r.config.llm.model) == ("gguf", "qwen2.5-coder-0.5b")
    r = Reasoner(load_config(), llm="openai:my-model@http://127.0.0.1:9/v1")
    assert (r.config.llm.backend, r.config.llm.model, r.config.llm.base_url) == (
        "openai", "my-model", "http://127.0.0.1:9/v1")


@pytest.mark.parametrize("bad", ["qwen", "gguf:", "ftp:model", 42, object()])
def test_a_bad_model_spec_is_a_typed_error_naming_the_argument(bad):
    with pytest.raises(InputError) as info:
        Reasoner(load_config(), llm=bad)
    assert "Reasoner(llm=" in info.value.message


class SlowLoadingLLM(SlowLLM):
    """Its weights take 2.5 s to load, like a first question after start-up."""

    def __init__(self):
        super().__init__(pause=0.0, tokens=0)
        self.loads = 0

    @property
    def loaded(self):
        if not self.loads:
            time.sleep(2.5)
        self.loads += 1
        return self


def test_model_loading_is_its_own_phase_outside_the_question_budget(tmp_path):
    r = Reasoner(_config(2.0), llm=SlowLoadingLLM())
    events = list(r.stream("How many people are there?", [_image(tmp_path)], render_images=False))
    answer = events[-1]["answer"]
    assert events[0] == {"type": "status",
                         "text": "loading models (once per process; not counted in the question's time budget)"}
    assert not answer.warnings, answer.warnings  # the 2 s budget was not spent on loading
    assert answer.timings["load_s"] >= 2.5 and answer.timings["framework_s"] < 1.0
    again = r.ask("How many people are there?", [_image(tmp_path)], render_images=False)
    assert "load_s" not in again.timings
