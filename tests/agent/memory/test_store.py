"""The memory on disk: versions, atomic publish, corruption reported (never a crash), restarts."""

from __future__ import annotations

import json

import pytest

from agent.memory.library import entry_from
from agent.memory.store import MemoryCorruptError, MemoryStore

PROGRAM = "BOX0=LOC(image=IMAGE,object='dog')\nANSWER0=COUNT(box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)"


def _add(store: MemoryStore, question: str) -> None:
    entry = entry_from(question, PROGRAM.replace("'dog'", "'cat'") if "cat" in question else PROGRAM, 1,
                       source="learned")
    store.update(lambda snap: ([*snap.entries, entry], snap.forgotten))


def test_empty_store_has_version_zero(tmp_path):
    snap = MemoryStore(tmp_path / "m").load()
    assert snap.version == 0 and snap.entries == ()


def test_each_change_publishes_a_new_version_and_survives_a_restart(tmp_path):
    root = tmp_path / "m"
    _add(MemoryStore(root), "How many dogs are there?")
    _add(MemoryStore(root), "How many cats are in the picture?")
    again = MemoryStore(root).load()  # a new process
    assert again.version == 2
    assert [e.question for e in again.entries] == ["How many dogs are there?", "How many cats are in the picture?"]


def test_old_versions_are_pruned_but_foreign_folders_never_touched(tmp_path):
    root = tmp_path / "m"
    (root / "v9_old").mkdir(parents=True)
    (root / "v50").mkdir()
    (root / "v50" / "mine.txt").write_text("user data")  # a v-folder without our manifest
    store = MemoryStore(root)
    for i in range(6):
        _add(store, f"How many dogs are there {'?' * (i + 1)}")
    versions = sorted(p.name for p in root.iterdir() if p.name.startswith("v") and p.is_dir())
    assert (root / "v50" / "mine.txt").read_text() == "user data"
    assert (root / "v9_old").exists()
    ours = [v for v in versions if (root / v / "manifest.json").exists()]
    assert len(ours) == 3


def test_edited_entries_are_reported_as_corrupt(tmp_path):
    root = tmp_path / "m"
    store = MemoryStore(root)
    _add(store, "How many dogs are there?")
    entries = root / f"v{store.current_version()}" / "entries.jsonl"
    entries.write_text(entries.read_text().replace("dog", "cat"))
    with pytest.raises(MemoryCorruptError, match="does not match its manifest"):
        store.load()


def test_bad_pointer_is_reported_as_corrupt(tmp_path):
    root = tmp_path / "m"
    root.mkdir()
    (root / "CURRENT").write_text("../../etc")
    with pytest.raises(MemoryCorruptError, match="expected a version"):
        MemoryStore(root).load()


def test_reset_recovers_from_corruption(tmp_path):
    root = tmp_path / "m"
    store = MemoryStore(root)
    _add(store, "How many dogs are there?")
    (root / f"v{store.current_version()}" / "manifest.json").write_text("{not json")
    with pytest.raises(MemoryCorruptError):
        store.load()
    store.reset()
    assert store.load().entries == ()


def test_manifest_counts_entries(tmp_path):
    root = tmp_path / "m"
    store = MemoryStore(root)
    _add(store, "How many dogs are there?")
    manifest = json.loads((root / f"v{store.current_version()}" / "manifest.json").read_text())
    assert manifest["kind"] == "visreason-program-memory" and manifest["count"] == 1
