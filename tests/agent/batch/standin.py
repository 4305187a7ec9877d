"""A deterministic stand-in reasoner: a test double for the batch machinery (never a default).

It loads images with the real ``agent.images.load_image`` (so bad images give real
``ImageError``s) and answers from the mean colour. Optional simulated costs, for the
throughput benchmark: ``STANDIN_TOOL_S`` per uncached image "tool" call (cached in a shared
``ToolCache``, concurrent like native tools) and ``STANDIN_LLM_S`` per question (serialised
like an LLM backend).
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np

from agent.answer import Answer
from agent.config import Config
from agent.images import image_digest, load_image
from tools.cache import ToolCache

COLOURS = {"black": (0, 0, 0), "white": (255, 255, 255), "red": (220, 30, 30), "green": (30, 180, 30),
           "blue": (30, 30, 220), "yellow": (230, 220, 40), "gray": (128, 128, 128)}


def colour_name(rgb) -> str:
    return min(COLOURS, key=lambda n: sum((a - b) ** 2 for a, b in zip(COLOURS[n], rgb, strict=True)))


class StandInReasoner:
    def __init__(self, config: Config | None = None, *, llm=None) -> None:
        self.config = config or Config()
        self.cache = ToolCache()
        self._llm_lock = threading.Lock()
        self.tool_s = float(os.environ.get("STANDIN_TOOL_S", "0"))
        self.llm_s = float(os.environ.get("STANDIN_LLM_S", "0"))

    def _mean(self, img) -> list[float]:
        def compute():
            if self.tool_s:
                time.sleep(self.tool_s)
            return [round(float(v), 1) for v in np.asarray(img, dtype=np.float64).reshape(-1, 3).mean(axis=0)]

        return self.cache.get_or_compute(ToolCache.key(image_digest(img), "mean"), compute)

    def ask(self, question, images, kb=None) -> Answer:
        sources = list(images.values()) if isinstance(images, dict) else list(images)
        pics = [load_image(src, self.config.images) for src in sources]
        means = [self._mean(p) for p in pics]
        with self._llm_lock:
            if self.llm_s:
                time.sleep(self.llm_s)
        q = question.lower()
        if q.startswith("how many"):
            answer = str(len(pics))
        elif q.startswith("is"):
            answer = "yes" if sum(means[0]) / 3 > 128 else "no"
        else:
            answer = colour_name(means[0])
        steps = [{"tool": "MEAN", "output": m} for m in means]
        return Answer(question=question, answer=answer, explanation=f"The mean colour is {means[0]}.",
                      program="ANSWER0=MEAN(image=IMAGE)\nFINAL_RESULT=RESULT(var=ANSWER0)", steps=steps)


class FailingReasoner:
    """Cannot be built: the batch must report it as a configuration problem."""

    def __init__(self, config=None) -> None:
        from agent.errors import ModelUnavailableError

        raise ModelUnavailableError("stand-in model is not installed", hint="this is a test")
