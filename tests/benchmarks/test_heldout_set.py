"""The held-out benchmark set (benchmarks/heldout.jsonl): well formed, its pictures materialise, and no
question is copied from the dev set or the planner's examples. Fast: no models."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from agent.score import normalize_answer
from benchmarks import heldout_images

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "benchmarks" / "heldout.jsonl"
DEV = ROOT / "benchmarks" / "dev.jsonl"
EXAMPLES = ROOT / "prompts" / "program_examples.jsonl"
TYPES = {"counting", "existence", "colour", "reading", "spatial", "comparison", "two-image", "classification",
         "category", "scene"}
DEV_PHOTOS = {"bus", "zidane", "astronaut", "chelsea", "coffee", "motorcycle", "grace_hopper", "rocket", "gift",
              "horse", "page"}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _images(item: dict) -> list[str]:
    return list(item["images"]) if "images" in item else [item["image"]]


def _norm_question(q: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", " ".join(q.lower().split()))


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return _lines(HELDOUT)


@pytest.fixture(scope="module")
def materialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return heldout_images.ensure_heldout_images(tmp_path_factory.mktemp("heldout"))


def test_parses_with_the_dev_set_fields(items: list[dict]) -> None:
    assert len(items) >= 48
    for item in items:
        assert isinstance(item["id"], str) and item["id"], item
        assert isinstance(item["question"], str) and item["question"].strip(), item
        assert item["type"] in TYPES, item
        assert ("image" in item) != ("images" in item), f"{item['id']}: exactly one of image/images"
        answers = item["answer"]
        assert isinstance(answers, list) and answers, item["id"]
        for a in answers:
            assert isinstance(a, str) and a == a.lower() and normalize_answer(a), f"{item['id']}: answer {a!r}"
        if item["type"] == "two-image":
            assert len(item["images"]) == 2, item["id"]
        else:
            assert "image" in item, f"{item['id']}: single-image types use 'image'"


def test_ids_unique(items: list[dict]) -> None:
    dupes = [i for i, n in Counter(item["id"] for item in items).items() if n > 1]
    assert not dupes, dupes


def test_every_type_is_represented(items: list[dict]) -> None:
    counts = Counter(item["type"] for item in items)
    missing = TYPES - set(counts)
    assert not missing, f"no question of type {sorted(missing)}"


def test_no_question_copied_from_dev_or_planner_examples(items: list[dict]) -> None:
    seen = {_norm_question(d["question"]) for d in _lines(DEV)} | {_norm_question(e["question"]) for e in _lines(EXAMPLES)}
    copied = [item["id"] for item in items if _norm_question(item["question"]) in seen]
    assert not copied, f"questions repeated from dev.jsonl or program_examples.jsonl: {copied}"
    own = Counter(_norm_question(item["question"]) + "|" + "|".join(_images(item)) for item in items)
    assert all(n == 1 for n in own.values()), "a question is asked twice about the same picture"


def _dev_photo_files() -> list[Path]:
    """The files benchmarks/sample_images.py copies for the dev set, found without importing torch."""
    rel = {"ultralytics": ("assets/bus.jpg", "assets/zidane.jpg"),
           "skimage": ("data/astronaut.png", "data/chelsea.png", "data/coffee.png", "data/rocket.jpg",
                       "data/motorcycle_left.png", "data/page.png", "data/horse.png"),
           "matplotlib": ("mpl-data/sample_data/grace_hopper.jpg", "mpl-data/sample_data/Minduka_Present_Blue_Pack.png")}
    out = []
    for package, paths in rel.items():
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.origin is not None, package
        out += [Path(spec.origin).parent / p for p in paths]
    return out


def test_no_dev_photo_is_reused(items: list[dict], materialised: Path) -> None:
    dev_files = {Path(p).name for d in _lines(DEV) for p in _images(d)}
    for item in items:
        for rel in _images(item):
            assert rel.startswith("images/heldout/"), f"{item['id']}: {rel} is outside images/heldout/"
            assert Path(rel).name not in dev_files
    dev_hashes = {hashlib.sha256(path.read_bytes()).hexdigest(): path.name for path in _dev_photo_files()}
    assert len(dev_hashes) == len(DEV_PHOTOS)
    for pic in materialised.iterdir():
        digest = hashlib.sha256(pic.read_bytes()).hexdigest()
        assert digest not in dev_hashes, f"{pic.name} is the dev photo {dev_hashes.get(digest)}"
    for name, (package, rel, _) in heldout_images.PHOTOS.items():
        if package == "skimage":  # the dev set's scikit-image photos, other views of them included (motorcycle_right)
            assert not any(Path(rel).stem.startswith(dev) for dev in DEV_PHOTOS), f"{name} comes from dev photo {rel}"


def test_every_picture_materialises_and_opens(items: list[dict], materialised: Path) -> None:
    referenced = {Path(rel).name for item in items for rel in _images(item)}
    produced = set(heldout_images.producers())
    assert referenced <= produced, f"not materialised: {sorted(referenced - produced)}"
    assert produced <= referenced, f"materialised but asked about nowhere: {sorted(produced - referenced)}"
    for name in sorted(referenced):
        with Image.open(materialised / name) as im:
            im.load()
            assert min(im.size) >= 32, name


def test_materialising_is_idempotent(materialised: Path) -> None:
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in materialised.iterdir()}
    heldout_images.ensure_heldout_images(materialised)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in materialised.iterdir()}
    assert before == after  # nothing rewritten, no stray temporary files


def test_a_changed_or_missing_picture_is_restored(materialised: Path) -> None:
    target = materialised / "r01.png"
    good = target.read_bytes()
    target.write_bytes(b"not a png")
    (materialised / "p05.jpg").unlink()
    heldout_images.ensure_heldout_images(materialised)
    assert target.read_bytes() == good
    assert (materialised / "p05.jpg").read_bytes() == heldout_images.photo_source("p05.jpg").read_bytes()


def test_renders_are_deterministic() -> None:
    produce = heldout_images.producers()
    for name in heldout_images.RENDERED:
        assert produce[name]() == produce[name](), name


def test_no_colour_question_on_a_photo_of_the_labelled_colour_set(items: list[dict]) -> None:
    """The colour namer is tuned on benchmarks/colors/labels.jsonl: its photos carry no held-out colour question."""
    tuned = {line["image"] for line in _lines(ROOT / "benchmarks" / "colors" / "labels.jsonl")}
    for item in items:
        if item["type"] != "colour":
            continue
        for rel in _images(item):
            name = Path(rel).name
            if name in heldout_images.PHOTOS:
                source = Path(heldout_images.PHOTOS[name][1]).name
                assert source not in tuned, f"{item['id']}: {source} is in the labelled colour set"
