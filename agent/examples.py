"""Few-shot examples for the planner, chosen per question by embedding similarity."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from prompts import PROMPTS_DIR  # package data: an installed wheel carries the prompts too

EXAMPLES_FILE = PROMPTS_DIR / "program_examples.jsonl"
# Every few-shot / seed file: photos, then shape-and-colour diagrams (SHAPES, not the photo detector).
EXAMPLE_FILES = (EXAMPLES_FILE, PROMPTS_DIR / "diagram_examples.jsonl")

Embed = Callable[[list[str]], np.ndarray]  # texts -> (n, d) L2-normalised rows


@dataclass(frozen=True)
class Example:
    question: str
    images: tuple[str, ...]
    program: str
    group: str = ""  # question family: counting, colour, reading, spatial, two-image ...

    @property
    def multi_image(self) -> bool:
        return len(self.images) > 1


def load_examples(path: Path = EXAMPLES_FILE) -> tuple[Example, ...]:
    examples = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            examples.append(Example(row["question"], tuple(row["images"]), row["program"], row.get("group", "")))
        except (json.JSONDecodeError, KeyError) as exc:
            raise ValueError(f"{path}:{number}: bad example ({exc})") from None
    return tuple(examples)


def load_all_examples() -> tuple[Example, ...]:
    return tuple(e for path in EXAMPLE_FILES if path.exists() for e in load_examples(path))


def question_form(question: str) -> str:
    """The question with object names replaced by "thing".

    The program's shape depends on the question's form (how many / is there / what colour /
    left of), not on which object it names; without this, "Is anyone wearing a tie?" lands
    next to "What color is the tie?".
    """
    from tools.vocabulary import canonical

    words = question.split()
    return " ".join("thing" if canonical(w.strip("?.,!'\"").lower()) else w for w in words)


class ExampleSelector:
    """In-context examples by embedding similarity, chosen a whole group at a time.

    The question is matched against every example; the group (question family) of the best
    matches wins and its examples are used in file order. Selecting groups rather than loose
    top-k sets keeps the prompt prefix identical across questions of one family, so the LLM's
    KV cache covers everything but the question: on CPU, prompt evaluation dominates latency.
    Example embeddings are computed once, on first use.
    """

    def __init__(self, examples: Sequence[Example], embed: Embed | None) -> None:
        self.examples = tuple(examples)
        self._embed = embed
        self._matrix: np.ndarray | None = None
        self._lock = threading.Lock()

    def _example_matrix(self) -> np.ndarray:
        with self._lock:
            if self._matrix is None:
                self._matrix = np.asarray(self._embed([question_form(e.question) for e in self.examples]),
                                          dtype=np.float32)
            return self._matrix

    def _pool(self, n_images: int) -> list[int]:
        return [i for i, e in enumerate(self.examples) if e.multi_image == (n_images > 1)] or list(range(len(self.examples)))

    def _group(self, pool: list[int], group: str, k: int) -> list[Example]:
        """The examples ``select`` returns when ``group`` wins: its members in file order, the first ``k``."""
        return [self.examples[i] for i in pool if self.examples[i].group == group][:k]

    def families(self, *, k: int = 6, n_images: int = 1) -> list[list[Example]]:
        """Every example set ``select`` can return for ``n_images`` images (one per group), so their
        prompt prefixes can be evaluated ahead of any question."""
        pool = self._pool(n_images)
        if self._embed is None:
            return [[self.examples[i] for i in pool[:k]]]
        return [self._group(pool, g, k) for g in dict.fromkeys(self.examples[i].group for i in pool)]

    def select(self, question: str, *, k: int = 6, n_images: int = 1) -> list[Example]:
        pool = self._pool(n_images)
        if self._embed is None:
            return [self.examples[i] for i in pool[:k]]
        q = np.asarray(self._embed([question_form(question)]), dtype=np.float32)[0]
        sims = self._example_matrix()[pool] @ q
        scores: dict[str, list[float]] = {}
        for i, sim in zip(pool, sims, strict=True):
            scores.setdefault(self.examples[i].group, []).append(float(sim))
        # A group's score: the mean of its two best matches (one lucky example should not win).
        best = max(scores, key=lambda g: float(np.mean(sorted(scores[g])[-2:])))
        return self._group(pool, best, k)
