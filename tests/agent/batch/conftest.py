"""A small on-disk batch: a few coloured images, questions about them, some bad images."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from tests.agent.batch.standin import COLOURS

STANDIN = "tests.agent.batch.standin:StandInReasoner"


def write_dataset(folder: Path, n: int = 20, bad_every: int = 0) -> Path:
    """``n`` items over 5 images; every ``bad_every``-th item points at a corrupt or missing image."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ["red", "green", "blue", "white", "black"]
    for name in names:
        Image.new("RGB", (16, 12), COLOURS[name]).save(folder / f"{name}.png")
    good = (folder / "red.png").read_bytes()
    (folder / "truncated.png").write_bytes(good[: len(good) // 2])
    (folder / "empty.png").write_bytes(b"")
    (folder / "text.png").write_text("not an image")
    bad = ["truncated.png", "empty.png", "text.png", "missing.png"]
    lines = []
    for i in range(n):
        name = names[i % len(names)]
        item = {"id": f"q{i:04d}", "image": f"{name}.png", "question": "What colour is it?", "answer": name}
        if i % 3 == 1:
            item.update(question="Is it bright?", answer="yes" if name == "white" else "no")
        if bad_every and i % bad_every == bad_every - 1:
            item["image"] = bad[(i // bad_every) % len(bad)]
            item["bad"] = True
        lines.append(json.dumps(item))
    path = folder / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def read_lines(path: Path) -> list[dict]:
    text = path.read_text()
    assert text == "" or text.endswith("\n"), "the results file must end with a complete line"
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "data")
