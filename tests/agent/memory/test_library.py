"""Planning from memory: confident matches skip the LLM, weak ones become drafts, bad entries are refused."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from agent.errors import VisreasonError
from agent.memory import MemoryStore, ProgramMemory, entry_from, program_checker, seed_entries
from agent.memory.store import MemoryCorruptError
from tools.catalog import default_registry

COUNT = "BOX0=LOC(image=IMAGE,object='dog')\nANSWER0=COUNT(box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)"


def bag_of_words(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in embedder: hashed bag of words, L2-normalised."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)


@pytest.fixture(scope="module")
def registry():
    return default_registry()


def _memory(tmp_path, registry, seeds=(), threshold=0.8):
    return ProgramMemory(MemoryStore(tmp_path / "memory"), seeds, bag_of_words, check=program_checker(registry),
                         threshold=threshold)


def test_confident_match_fills_the_program(tmp_path, registry):
    memory = _memory(tmp_path, registry, [entry_from("How many dogs are there?", COUNT, 1, source="seed")])
    match = memory.lookup("How many buses are there?", ["IMAGE"])
    assert match.confident and "object='bus'" in match.program
    assert "template" in match.describe() and "similarity" in match.describe()


def test_no_confident_match_falls_back_to_the_llm(tmp_path, registry):
    memory = _memory(tmp_path, registry, [entry_from("How many dogs are there?", COUNT, 1, source="seed")])
    match = memory.lookup("What is the man holding in his left hand?", ["IMAGE"])
    assert match is None or not match.confident


def test_threshold_decides_confidence(tmp_path, registry):
    seeds = [entry_from("How many dogs are there?", COUNT, 1, source="seed")]
    # Same slots and words, but "can you see" lowers the bag-of-words similarity below 0.99.
    strict = _memory(tmp_path, registry, seeds, threshold=0.99)
    match = strict.lookup("How many dogs can you see?", ["IMAGE"])
    assert match is not None and not match.confident and match.program  # a draft for the LLM


def test_two_image_templates_only_serve_two_image_questions(tmp_path, registry):
    memory = _memory(tmp_path, registry, seed_entries())
    single = memory.lookup("Both images contain a bus.", ["IMAGE"])
    assert single is None or not single.confident
    pair = memory.lookup("Both images contain a bus.", ["IMAGE_0", "IMAGE_1", "LEFT", "RIGHT", "IMAGE"])
    assert pair.confident and "image=LEFT" in pair.program and "object='bus'" in pair.program


def test_learned_program_is_reused_after_a_restart(tmp_path, registry):
    program = ("BOX0=LOC(image=IMAGE,object='bus')\nIMAGE0=CROP(image=IMAGE,box=BOX0)\nANSWER0=OCR(image=IMAGE0)\n"
               "FINAL_RESULT=RESULT(var=ANSWER0)")
    first = _memory(tmp_path, registry)
    assert first.lookup("Which city name is written on the truck?", ["IMAGE"]) is None
    first.learn("Which city name is written on the bus?", program, ["IMAGE"])
    second = _memory(tmp_path, registry)  # a new process over the same folder
    match = second.lookup("Which city name is written on the truck?", ["IMAGE"])
    assert match.confident and "object='truck'" in match.program


def test_poisoned_entry_is_refused_by_the_parser(tmp_path, registry):
    memory = _memory(tmp_path, registry)
    with pytest.raises(VisreasonError):
        memory.learn("How many dogs are there?", "BOX0=__import__('os').system('touch /tmp/pwned')", ["IMAGE"])
    with pytest.raises(VisreasonError):
        memory.learn("How many dogs are there?", "BOX0=SHELL(cmd='ls')\nFINAL_RESULT=RESULT(var=BOX0)", ["IMAGE"])
    assert memory.store.load().entries == ()


def test_poisoned_entry_on_disk_is_never_planned(tmp_path, registry):
    memory = _memory(tmp_path, registry)
    bad = entry_from("How many dogs are there?", COUNT, 1, source="learned")
    bad = bad.__class__(**{**bad.to_json(), "program": "BOX0=__import__('os')\nFINAL_RESULT=RESULT(var=BOX0)",
                           "slots": (), "forms": ()})
    memory.store.update(lambda snap: ([bad], snap.forgotten))
    match = memory.lookup("How many dogs are there?", ["IMAGE"])
    assert match is None or match.program is None
    with pytest.raises(VisreasonError):
        memory.add_entries([bad])


def test_corrupt_memory_is_reported_and_lookup_returns_nothing(tmp_path, registry):
    memory = _memory(tmp_path, registry, [entry_from("How many dogs are there?", COUNT, 1, source="seed")])
    memory.learn("How many cats are in the picture?", COUNT.replace("dog", "cat"), ["IMAGE"])
    folder = tmp_path / "memory" / f"v{memory.store.current_version()}"
    (folder / "entries.jsonl").write_text("garbage\n")
    fresh = _memory(tmp_path, registry, [entry_from("How many dogs are there?", COUNT, 1, source="seed")])
    assert fresh.lookup("How many buses are there?", ["IMAGE"]) is None
    assert isinstance(fresh.error, MemoryCorruptError)


def test_forget_hides_a_seed(tmp_path, registry):
    seed = entry_from("How many dogs are there?", COUNT, 1, source="seed")
    memory = _memory(tmp_path, registry, [seed])
    assert memory.forget(seed.id)
    assert memory.lookup("How many buses are there?", ["IMAGE"]) is None
    assert not memory.forget("nope")


def test_seeds_do_not_contain_benchmark_questions():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    bench = set()
    for path in (root / "benchmarks").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            if line.strip():
                bench.add(" ".join(json.loads(line)["question"].lower().split()))
    seeds = {" ".join(e.question.lower().split()) for e in seed_entries()}
    assert not seeds & bench, f"benchmark questions in the seeds: {sorted(seeds & bench)}"


def test_diagram_seeds_are_not_easyvqa_test_questions():
    import easy_vqa

    test_questions = {" ".join(q.lower().split()) for q in easy_vqa.get_test_questions()[0]}
    seeds = {" ".join(e.question.lower().split()) for e in seed_entries()}
    assert not seeds & test_questions


@pytest.mark.parametrize(("question", "needle"), [
    ("How many shapes are not yellow?", "{ANSWER0} - {ANSWER1}"),  # how many X are not Y: all minus Y
    ("How many shapes are not triangles?", "{ANSWER0} - {ANSWER1}"),
    ("How many rectangles are on the right side of the image?", "SHAPES(image=IMAGE0,query='rectangle')"),
    ("How many circles are on the left side of the photo?", "SHAPES(image=IMAGE0,query='circle')"),
    ("Is there nobody in the photo?", "{ANSWER0} == 0"),
])
def test_seeds_cover_negated_counts_and_shapes_in_a_half(question, needle):
    """Some seed's template fills from these question shapes (the tune-A misses of issue 11)."""
    from agent.memory.library import _template
    from agent.memory.template import fill

    filled = [p for p in (fill(_template(e), question) for e in seed_entries()) if p is not None]
    assert any(needle in p for p in filled), filled
