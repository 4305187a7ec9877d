"""KB versions never touch what the KB did not create (issue 9, item 3).

Each test fails on the old store: versions were every ``v[0-9]*`` entry sorted as text, so a
user's ``v1/`` was pruned, a new version deleted, and ``v2_old/`` crashed ``int()``.
"""

import json
import os
from pathlib import Path

import pytest

from agent.cli import main
from retrieval.errors import KBError
from retrieval.kb import KnowledgeBase
from retrieval.store import VersionedDir


def _user_folders(root: Path, names) -> dict[str, str]:
    """Folders of a user's own, each with a file; returns what to find there afterwards."""
    files = {}
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "notes.txt").write_text(f"my data in {name}")
        files[name] = f"my data in {name}"
    return files


def _intact(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        assert (root / name / "notes.txt").read_text() == text, f"{name} was touched"


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_build_into_a_users_folder_refuses_and_deletes_nothing(src_dir, tmp_path, bow_config, kb_kwargs):
    # The reproduction: mkdir -p proj/{v1,v2,v3}, each holding a file; kb build src --kb proj.
    proj = tmp_path / "proj"
    files = _user_folders(proj, ["v1", "v2", "v3"])
    before = _listing(proj)
    with pytest.raises(KBError, match="not empty and not a knowledge base") as info:
        KnowledgeBase.build(src_dir, proj, bow_config, progress=False, **kb_kwargs)
    assert "v1" in info.value.message and "--kb" in info.value.hint
    assert _listing(proj) == before  # not even a lock file or a staging folder
    _intact(proj, files)


def test_cli_build_into_a_users_folder_is_a_typed_error(src_dir, tmp_path, capsys):
    proj = tmp_path / "proj"
    files = _user_folders(proj, ["v1", "v2", "v3"])
    before = _listing(proj)
    assert main(["kb", "build", str(src_dir), "--kb", str(proj), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "KBError" in err and "refusing to build" in err and "Traceback" not in err
    assert _listing(proj) == before
    _intact(proj, files)


@pytest.mark.parametrize("names", [["v2_old"], ["notes"], ["thumbs"]])
def test_any_foreign_entry_makes_a_folder_unbuildable(src_dir, tmp_path, bow_config, kb_kwargs, names):
    proj = tmp_path / "proj"
    files = _user_folders(proj, names)
    with pytest.raises(KBError, match="refusing to build"):
        KnowledgeBase.build(src_dir, proj, bow_config, progress=False, **kb_kwargs)
    _intact(proj, files)


def test_build_onto_a_file_is_refused(src_dir, tmp_path, bow_config, kb_kwargs):
    target = tmp_path / "kb"
    target.write_text("not a folder")
    with pytest.raises(KBError, match="not a directory"):
        KnowledgeBase.build(src_dir, target, bow_config, progress=False, **kb_kwargs)
    assert target.read_text() == "not a folder"


def test_users_folders_inside_a_kb_survive_rebuilds_and_changes(src_dir, tmp_path, bow_config, kb_kwargs):
    kb_dir = tmp_path / "kb"
    KnowledgeBase.build(src_dir, kb_dir, bow_config, progress=False, **kb_kwargs)
    # A user later drops folders into the KB's folder, some looking like versions.
    files = _user_folders(kb_dir, ["v1", "v2_old", "v000099", "v10"])
    for i in range(4):  # rebuilds and adds publish and prune several versions
        extra = tmp_path / f"extra{i}.txt"
        extra.write_text(f"Extra document {i} about ferries.")
        if i % 2:
            KnowledgeBase.build(src_dir, kb_dir, bow_config, progress=False, **kb_kwargs)
        else:
            KnowledgeBase.open(kb_dir, bow_config, **kb_kwargs).add([extra])
    _intact(kb_dir, files)
    live = VersionedDir(kb_dir).current()
    assert int(live.name[1:]) > 99  # never reuses a name a user folder holds
    ours = sorted(p.name for p in kb_dir.iterdir() if p.is_dir() and (p / "manifest.json").exists())
    assert len(ours) == 2 and live.name in ours  # the live version and one fallback
    assert KnowledgeBase.open(kb_dir, bow_config, **kb_kwargs).info()["version"] == live.name


def test_versions_are_ordered_by_number_not_text(src_dir, tmp_path, bow_config, kb_kwargs):
    kb_dir = tmp_path / "kb"
    KnowledgeBase.build(src_dir, kb_dir, bow_config, progress=False, **kb_kwargs)
    vd = VersionedDir(kb_dir)
    os.rename(vd.current(), kb_dir / "v999999")  # as if after 999,999 changes
    (kb_dir / "CURRENT").write_text("v999999")
    kb = KnowledgeBase.open(kb_dir, bow_config, **kb_kwargs)
    for i in range(3):
        extra = tmp_path / f"more{i}.txt"
        extra.write_text(f"More text number {i} on trams.")
        kb.add([extra])
        assert vd.current().name == f"v{1_000_000 + i}"  # "v1000000" sorts before "v999999" as text
    names = sorted(p.name for p in kb_dir.iterdir() if p.name.startswith("v"))
    assert names == ["v1000001", "v1000002"]
    assert kb.info()["counts"]["sources"] == 8


def test_a_crashed_first_build_leaves_a_folder_that_can_still_be_built(src_dir, tmp_path, bow_config, kb_kwargs):
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / ".lock").write_text("")
    (kb_dir / f".staging-{'ab' * 16}").mkdir()
    (kb_dir / f".staging-{'ab' * 16}" / "items.sqlite").write_bytes(b"half")
    (kb_dir / "thumbs").mkdir()
    (kb_dir / "thumbs" / f"{'0' * 24}.jpg").write_bytes(b"jpg")
    kb = KnowledgeBase.build(src_dir, kb_dir, bow_config, progress=False, **kb_kwargs)
    assert kb.info()["counts"]["sources"] == 5
    assert not list(kb_dir.glob(".staging-*"))


def test_a_staging_lookalike_of_a_user_is_kept(src_dir, tmp_path, bow_config, kb_kwargs):
    kb_dir = tmp_path / "kb"
    KnowledgeBase.build(src_dir, kb_dir, bow_config, progress=False, **kb_kwargs)
    files = _user_folders(kb_dir, [".staging-mine"])
    KnowledgeBase.build(src_dir, kb_dir, bow_config, progress=False, **kb_kwargs)
    _intact(kb_dir, files)


@pytest.mark.parametrize("pointer", ["v2_old", "../elsewhere", "v1/x", "thumbs"])
def test_a_damaged_pointer_is_a_typed_error(src_dir, tmp_path, bow_config, kb_kwargs, pointer):
    kb_dir = tmp_path / "kb"
    KnowledgeBase.build(src_dir, kb_dir, bow_config, progress=False, **kb_kwargs)
    (kb_dir / "CURRENT").write_text(pointer)
    with pytest.raises(KBError, match="damaged pointer"):
        KnowledgeBase.open(kb_dir, bow_config, **kb_kwargs)


def test_a_forged_version_without_our_manifest_is_not_a_kb(src_dir, tmp_path, bow_config, kb_kwargs):
    proj = tmp_path / "proj"
    files = _user_folders(proj, ["v1"])
    (proj / "v1" / "manifest.json").write_text(json.dumps({"format": "something-else"}))
    (proj / "CURRENT").write_text("v1")
    with pytest.raises(KBError, match="refusing to build"):
        KnowledgeBase.build(src_dir, proj, bow_config, progress=False, **kb_kwargs)
    _intact(proj, files)
