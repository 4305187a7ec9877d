"""Few-shot example selection, and the planner prefixes ``visreason models warm`` evaluates ahead of time.

The prefixes are only worth saving if they are exactly the ones a question's prompt starts with: these
tests compare them with what ``write_program`` really sends, for the shipped examples.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.examples import ExampleSelector, load_all_examples
from agent.nodes_program import planner_prefixes, write_program
from agent.reasoner import name_images
from tools.catalog import default_registry

EXAMPLES = load_all_examples()
WORDS = sorted({w.strip("?.,!'\"").lower() for e in EXAMPLES for w in e.question.split()} | {"zebra", "menu"})


def bag_of_words(texts):
    """A deterministic stand-in for MiniLM: hashed word counts, unit length."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)


SELECTOR = ExampleSelector(EXAMPLES, bag_of_words)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=9), st.sampled_from([1, 2]))
def test_every_selection_is_one_of_the_families(words, n_images):
    question = " ".join(words) + "?"
    chosen = SELECTOR.select(question, k=5, n_images=n_images)
    assert chosen in SELECTOR.families(k=5, n_images=n_images)


def test_families_are_one_per_group_and_distinct():
    for n_images in (1, 2):
        families = SELECTOR.families(k=5, n_images=n_images)
        groups = [f[0].group for f in families]
        assert len(groups) == len(set(groups)) and all(len(f) <= 5 for f in families)
        assert all({e.group for e in f} == {f[0].group} for f in families)
    assert len(SELECTOR.families(n_images=1)) >= 5  # counting, colour, existence, spatial, reading ...


def test_prefixes_are_what_the_planner_sends_before_the_question():
    deps = SimpleNamespace(selector=SELECTOR, registry=default_registry(), n_examples=5,
                           config=SimpleNamespace(llm=SimpleNamespace(max_tokens=64)),
                           program_grammar=lambda names: None, planner=lambda group: None)
    sent = []
    deps.chat = lambda messages, **kw: (sent.append(messages), ("", 0.0))[1]
    for images, question in ((["a"], "How many cups are on the table?"), (["a"], "What colour is the bus?"),
                             (["a", "b"], "Is there a dog in both images?")):
        names = list(name_images(images))
        write_program(deps, question, names)
        prefixes = [m[:-1] for m in planner_prefixes(deps, names)]
        assert sent[-1][:-1] in prefixes, question
        assert sent[-1][-1]["content"].endswith(question)
