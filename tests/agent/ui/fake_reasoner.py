"""A deterministic stand-in for agent.reasoner.Reasoner (test double for the UI tests).

It "answers" with the dominant colour of the first image and streams the same event
kinds the real reasoner does, including a step image with a drawn box.
"""

from __future__ import annotations

import base64
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from agent import events
from agent.answer import Answer
from agent.images import load_image

COLOURS = {"red": (255, 0, 0), "green": (0, 160, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0),
           "black": (0, 0, 0), "white": (255, 255, 255)}


def colour_name(img: Image.Image) -> str:
    mean = np.asarray(img.convert("RGB"), dtype=np.float64).reshape(-1, 3).mean(axis=0)
    return min(COLOURS, key=lambda n: float(np.sum((mean - np.array(COLOURS[n])) ** 2)))


def data_url(img: Image.Image) -> str:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


class FakeReasoner:
    instances = 0  # how many were built (the app must cache them per config)

    def __init__(self, config: Any = None, *, delay: float = 0.0) -> None:
        type(self).instances += 1
        self.config = config
        self.delay = delay
        self.calls: list[dict] = []

    def stream(self, question: str, images: Any, kb: Any = None, *, history: list[dict] | None = None,
               cancel: threading.Event | None = None) -> Iterator[dict]:
        self.calls.append({"question": question, "images": list(images), "kb": kb, "history": list(history or [])})
        first = load_image(Path(list(images)[0]))
        colour = colour_name(first)
        program = "COLOR0=COLOR(image=IMAGE)\nFINAL_RESULT=RESULT(var=COLOR0)"
        yield events.Status("planning").to_dict()
        yield events.Program(program, 1).to_dict()
        for _ in range(int(self.delay * 20)):  # a slow step that honours cancel
            if cancel is not None and cancel.is_set():
                return
            time.sleep(0.05)
        boxed = first.copy()
        ImageDraw.Draw(boxed).rectangle([2, 2, boxed.width - 3, boxed.height - 3], outline=(255, 0, 255), width=3)
        step = {"line": 1, "module": "COLOR", "target": "COLOR0", "args": {"image": "IMAGE"},
                "output": colour, "summary": f"dominant colour: {colour}", "ms": 3.0}
        yield events.Step(step, data_url(boxed), 0).to_dict()
        yield events.Retrieval(1, "retrieve", "colour names", (
            events.RetrievedItem("doc1", "colours.md", "text", f"{colour} is a colour", 0.9),), colour).to_dict()
        people = "2" if "people" in question.lower() else colour
        answer = Answer(question=question, answer=people, explanation=f"The image is mostly {colour}.",
                        program=program, steps=[step], evidence=[{"source": "colours.md", "id": "doc1"}])
        yield events.AnswerEvent(answer).to_dict()

    def ask(self, question: str, images: Any, kb: Any = None, **kw: Any) -> Answer:
        last = None
        for event in self.stream(question, images, kb, **kw):
            if event["type"] == "answer":
                last = event["answer"]
        return last


def make_fake(config: Any) -> FakeReasoner:
    """Factory for ``--reasoner-factory tests.agent.ui.fake_reasoner:make_fake``."""
    return FakeReasoner(config)


def make_slow_fake(config: Any) -> FakeReasoner:
    return FakeReasoner(config, delay=5.0)


def make_overlapping_fake(config: Any) -> FakeReasoner:
    """A short pause per question so concurrent sessions really overlap."""
    return FakeReasoner(config, delay=0.5)


class ModelTouchingFake(FakeReasoner):
    """Loads the configured detector and/or asks the configured LLM once, then answers like FakeReasoner.

    The security tests use it to see what a visitor's settings make the server load or contact.
    """

    def __init__(self, config: Any = None, *, detector: bool = False, llm: bool = False) -> None:
        super().__init__(config)
        self.use_detector = detector
        self.use_llm = llm

    def stream(self, question: str, images: Any, kb: Any = None, **kw: Any) -> Iterator[dict]:
        if self.use_detector:
            from tools.models import ModelHub

            ModelHub(self.config).detector()
        if self.use_llm:
            from agent.llm.factory import make_llm

            make_llm(self.config).chat([{"role": "user", "content": question}], max_tokens=4)
        yield from super().stream(question, images, kb, **kw)


def make_detector_fake(config: Any) -> FakeReasoner:
    return ModelTouchingFake(config, detector=True)


def make_llm_fake(config: Any) -> FakeReasoner:
    return ModelTouchingFake(config, llm=True)
