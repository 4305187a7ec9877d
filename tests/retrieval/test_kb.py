import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.errors import InputError
from retrieval.errors import KBError
from retrieval.kb import KnowledgeBase
from retrieval.store import VersionedDir


def _build(src_dir, tmp_path, cfg, kb_kwargs):
    return KnowledgeBase.build(src_dir, tmp_path / "kb", cfg, progress=False, **kb_kwargs)


def test_build_and_search(src_dir, tmp_path, bow_config, kb_kwargs):
    kb = _build(src_dir, tmp_path, bow_config, kb_kwargs)
    info = kb.info()
    assert info["counts"] == {"items": 6, "text_items": 4, "image_items": 2, "sources": 5}
    assert info["indices"]["text"]["type"] == "flat" and info["indices"]["image"]["count"] == 2
    top = kb.search_text("who wears a red tie coach", 1)[0]
    assert top.source.endswith("club.txt") and top.id.startswith("K")
    rocket = kb.search_text("rocket launched pad", 1)[0]
    assert rocket.metadata["topic"] == "rocket" and rocket.metadata["line"] == 2
    images = kb.search_images_by_text("blue bus Azul Lines", 2)
    assert images[0].modality == "image" and images[0].source.endswith("bluebus.png")
    assert Path(images[0].thumbnail_path).exists()
    same = kb.search_image(src_dir / "orange_cat.jpg", 1)[0]
    assert same.source.endswith("orange_cat.jpg") and same.score == pytest.approx(1.0, abs=1e-4)


def test_reopen_add_dedup_replace_delete(src_dir, tmp_path, bow_config, kb_kwargs):
    _build(src_dir, tmp_path, bow_config, kb_kwargs)
    kb = KnowledgeBase.open(tmp_path / "kb", bow_config, **kb_kwargs)
    assert kb.add([src_dir / "club.txt"])["unchanged"] == [str((src_dir / "club.txt").resolve())]
    twin = tmp_path / "copy_of_club.txt"
    twin.write_text((src_dir / "club.txt").read_text())
    assert kb.add([twin])["duplicates"] == [str(twin.resolve())]
    (src_dir / "club.txt").write_text("FC Norte now plays at Estadio Sol.")
    assert kb.add([src_dir / "club.txt"])["replaced"]
    assert kb.info()["counts"]["items"] == 6
    assert "Estadio Sol" in kb.search_text("where does FC Norte play", 1)[0].text
    assert kb.delete("club.txt") == 1
    assert all(not h.source.endswith("club.txt") for h in kb.search_text("FC Norte", 6))
    with pytest.raises(KBError, match="no such source"):
        kb.delete("club.txt")
    assert KnowledgeBase.open(tmp_path / "kb", bow_config, **kb_kwargs).info()["counts"]["sources"] == 4


def test_bad_jsonl_names_file_and_line(tmp_path, bow_config, kb_kwargs):
    src = tmp_path / "bad"
    src.mkdir()
    (src / "r.jsonl").write_text('{"text": "ok"}\n{"title": "no text"}\n')
    with pytest.raises(InputError, match=r"r.jsonl:2"):
        KnowledgeBase.build(src, tmp_path / "kb", bow_config, progress=False, **kb_kwargs)
    assert VersionedDir(tmp_path / "kb").current() is None  # nothing half-built is published


def test_open_refuses_other_embedder(src_dir, tmp_path, bow_config, kb_kwargs):
    _build(src_dir, tmp_path, bow_config, kb_kwargs)
    with pytest.raises(KBError, match="built with text embedder 'test-bow'"):
        KnowledgeBase.open(tmp_path / "kb", bow_config.replace(**{"embedder.text_model": "all-minilm-l6-v2"}))
    with pytest.raises(KBError, match="images embedded with"):
        KnowledgeBase.open(tmp_path / "kb", bow_config.replace(**{"embedder.clip_model": "some/clip"}))


def test_open_refuses_damage(src_dir, tmp_path, bow_config, kb_kwargs):
    kb = _build(src_dir, tmp_path, bow_config, kb_kwargs)
    manifest = kb.version_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["indices"]["text"]["count"] = 99
    manifest.write_text(json.dumps(data))
    with pytest.raises(KBError, match="manifest says 99"):
        KnowledgeBase.open(tmp_path / "kb", bow_config)
    with pytest.raises(KBError, match="not a knowledge base"):
        KnowledgeBase.open(tmp_path / "nothing", bow_config)


def test_exception_mid_change_keeps_old_kb(src_dir, tmp_path, bow_config, kb_kwargs, monkeypatch):
    kb = _build(src_dir, tmp_path, bow_config, kb_kwargs)
    new = tmp_path / "new.txt"
    new.write_text("A brand new document about trams.")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("retrieval.kb.write_manifest", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        kb.add([new])
    monkeypatch.undo()
    again = KnowledgeBase.open(tmp_path / "kb", bow_config, **kb_kwargs)
    assert again.info()["counts"]["items"] == 6
    assert not list((tmp_path / "kb").glob(".staging-*"))


CRASH_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from conftest import BowEmbedder, ColourEmbedder
    from agent.config import Config
    from retrieval.describe import caption_only
    from retrieval.kb import KnowledgeBase

    class Dying(BowEmbedder):
        def embed_texts(self, texts):
            os.kill(os.getpid(), signal.SIGKILL)  # die mid-write, after staging began

    cfg = Config().replace(**{{"embedder.text_model": "test-bow"}})
    kb = KnowledgeBase.open({kb!r}, cfg, describer=caption_only, text_embedder=Dying(), image_embedder=ColourEmbedder())
    kb.add([{new!r}])
""")


def test_sigkill_mid_add_keeps_old_kb(src_dir, tmp_path, bow_config, kb_kwargs):
    _build(src_dir, tmp_path, bow_config, kb_kwargs)
    new = tmp_path / "more.txt"
    new.write_text("Trams are green in this city.")
    root = Path(__file__).resolve().parents[2]
    script = CRASH_SCRIPT.format(root=str(root), tests=str(Path(__file__).parent), kb=str(tmp_path / "kb"),
                                 new=str(new))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert list((tmp_path / "kb").glob(".staging-*"))  # the crash left its staging dir behind...
    kb = KnowledgeBase.open(tmp_path / "kb", bow_config, **kb_kwargs)  # ...but the old KB is intact
    assert kb.info()["counts"]["items"] == 6
    assert kb.add([new])["added"]  # and the next change cleans up and succeeds
    assert not list((tmp_path / "kb").glob(".staging-*"))
    assert kb.info()["counts"]["items"] == 7


def test_grows_into_hnsw(tmp_path, bow_config, kb_kwargs, monkeypatch):
    monkeypatch.setattr("retrieval.index.FLAT_MAX", 5)
    src = tmp_path / "many"
    src.mkdir()
    for i in range(8):
        (src / f"d{i}.txt").write_text(f"Document {i} mentions word{i}.")
    kb = KnowledgeBase.build(src, tmp_path / "kb", bow_config, progress=False, **kb_kwargs)
    assert kb.info()["indices"]["text"]["type"] == "hnsw"
    assert kb.search_text("word3", 1)[0].source.endswith("d3.txt")
    kb.delete("d3.txt")
    assert kb.info()["indices"]["text"]["count"] == 7


def test_concurrent_writers_do_not_lose_changes(src_dir, tmp_path, bow_config, kb_kwargs):
    import threading

    _build(src_dir, tmp_path, bow_config, kb_kwargs)
    files = []
    for i in range(4):
        f = tmp_path / f"extra{i}.txt"
        f.write_text(f"Extra document number {i} about ferries.")
        files.append(f)
    errors = []

    def writer(path):
        try:
            KnowledgeBase.open(tmp_path / "kb", bow_config, **kb_kwargs).add([path])
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert KnowledgeBase.open(tmp_path / "kb", bow_config, **kb_kwargs).info()["counts"]["sources"] == 9
