"""The tuning set (benchmarks/tune.jsonl): well formed, split into A (fixed on) and B (reported once), its
pictures materialise, no held-out picture is used, and no question appears verbatim in the dev set, the
held-out set, the planner's examples or the memory seeds. Fast: no models."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from agent.score import normalize_answer
from benchmarks import heldout_images, tune_renders

ROOT = Path(__file__).resolve().parents[2]
TUNE = ROOT / "benchmarks" / "tune.jsonl"
TYPES = {"counting", "existence", "colour", "reading", "spatial", "comparison", "two-image", "category", "scene"}
HELDOUT_PHOTO_FILES = {Path(path).name for _, path, _ in heldout_images.PHOTOS.values()}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _images(item: dict) -> list[str]:
    return list(item["images"]) if "images" in item else [item["image"]]


def _norm(q: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", " ".join(q.lower().split()))


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return _lines(TUNE)


def test_fields_and_split(items: list[dict]) -> None:
    assert len(items) >= 50
    for item in items:
        assert item["type"] in TYPES, item
        assert item["split"] in ("A", "B"), item
        assert ("image" in item) != ("images" in item), item["id"]
        assert item["answer"] and all(a == a.lower() and normalize_answer(a) for a in item["answer"]), item["id"]
        if item["type"] == "two-image":
            assert len(item["images"]) == 2, item["id"]
    split = Counter(item["split"] for item in items)
    assert split["B"] >= 20 and split["A"] >= 30, split
    assert not [i for i, n in Counter(item["id"] for item in items).items() if n > 1]
    for part in ("A", "B"):
        assert TYPES <= {item["type"] for item in items if item["split"] == part}, f"split {part} misses a type"


def test_no_question_copied_from_other_sets_prompts_or_seeds(items: list[dict]) -> None:
    from agent.memory import seed_entries

    seen = set()
    for path in [ROOT / "benchmarks" / "dev.jsonl", ROOT / "benchmarks" / "heldout.jsonl",
                 *sorted((ROOT / "prompts").glob("*.jsonl"))]:
        seen |= {_norm(d["question"]) for d in _lines(path)}
    seen |= {_norm(e.question) for e in seed_entries()}
    text = " ".join(_norm(p.read_text()) for p in (ROOT / "prompts").glob("*.txt"))
    copied = [item["id"] for item in items if _norm(item["question"]) in seen or _norm(item["question"]) in text]
    assert not copied, f"tune questions found verbatim in dev/held-out/prompts/seeds: {copied}"
    own = Counter(_norm(item["question"]) + "|" + "|".join(_images(item)) for item in items)
    assert all(n == 1 for n in own.values())


def test_no_held_out_picture(items: list[dict]) -> None:
    for item in items:
        for path in _images(item):
            assert "heldout" not in path, item["id"]
            assert Path(path).name not in HELDOUT_PHOTO_FILES, f"{item['id']}: {path} is a held-out photo"
            assert Path(path).name not in {"china.jpg", "flower.jpg"}, f"{item['id']}: {path} is a held-out photo"


def test_renders_materialise_deterministically(items: list[dict], tmp_path: Path) -> None:
    target = tune_renders.ensure_tune_images(tmp_path)
    first = {p.name: p.read_bytes() for p in target.iterdir()}
    (target / "t01.png").write_bytes(b"broken")
    tune_renders.ensure_tune_images(tmp_path)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == first
    used = {Path(p).name for item in items for p in _images(item) if p.startswith("images/tune/")}
    assert used <= set(first), used - set(first)
    for name in used:
        with Image.open(target / name) as im:
            assert im.size[0] > 100


def test_held_out_renders_are_not_redrawn() -> None:
    from benchmarks import heldout_renders

    ours = {tune_renders._png(f()) for f in tune_renders.RENDERS.values()}
    theirs = {tune_renders._png(f()) for f in heldout_renders.RENDERS.values()}
    assert not ours & theirs
