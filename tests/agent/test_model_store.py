"""Model store: atomic assembly of split files, verification, typed errors, registry lookups."""

from __future__ import annotations

import hashlib
import importlib
import sys
import threading
from pathlib import Path

import pytest

from agent import model_registry
from agent.config import Config
from agent.errors import ModelUnavailableError
from agent.file_assembly import AssemblyError, assemble, cached_sha256, sidecar_path
from agent.model_registry import REGISTRY, ModelSpec
from agent.model_store import ModelStore

CHUNKS = [b"GGUF" + bytes(range(256)) * 40, b"second-part" * 500, b"tail" * 333]
WHOLE = b"".join(CHUNKS)


@pytest.fixture()
def fake_parts(tmp_path, monkeypatch):
    """Three importable part packages ``fakepart_<id>_1..3`` with ``get_part_path()`` on sys.path."""
    pkg_root = tmp_path / "site"
    prefix = f"fakepart_{id(tmp_path)}_"
    for i, data in enumerate(CHUNKS, start=1):
        pkg = pkg_root / f"{prefix}{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
        (pkg / "__init__.py").write_text(
            "import os\n"
            "def get_part_path():\n"
            f"    return os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'part{i:02d}.bin')\n")
    monkeypatch.syspath_prepend(str(pkg_root))
    importlib.invalidate_caches()
    modules = tuple(f"{prefix}{i}" for i in range(1, 4))
    yield modules
    for m in modules:
        sys.modules.pop(m, None)


def _spec(parts, **kw) -> ModelSpec:
    base = dict(name="fake-llm", kind="llm", backend="gguf", source="pypi-parts", parts=parts,
                pip="fake-part1..3==1.0", filename="fake.gguf", size=len(WHOLE),
                sha256=hashlib.sha256(WHOLE).hexdigest())
    base.update(kw)
    return ModelSpec(**base)


def _store(tmp_path, monkeypatch, spec) -> ModelStore:
    monkeypatch.setitem(REGISTRY, spec.name, spec)
    return ModelStore(Config(home=str(tmp_path / "home")))


def _part_paths(modules):
    return [Path(importlib.import_module(m).get_part_path()) for m in modules]


def test_path_assembles_parts_in_order_and_records_sidecar(tmp_path, monkeypatch, fake_parts):
    store = _store(tmp_path, monkeypatch, _spec(fake_parts))
    assert store.status("fake-llm").state == "assemblable"
    path = store.path("fake-llm")
    assert path.read_bytes() == WHOLE
    assert sidecar_path(path).exists()
    assert store.status("fake-llm").state == "present"
    assert store.verify("fake-llm").ok
    assert store.path("fake-llm") == path  # second call: no re-assembly needed


def test_crash_mid_write_leaves_no_final_file_and_no_temp(tmp_path, fake_parts):
    dest = tmp_path / "out" / "model.gguf"
    calls = []

    def crash(written: int) -> None:
        calls.append(written)
        if len(calls) == 3:
            raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated crash"):
        assemble(_part_paths(fake_parts), dest, size=len(WHOLE), chunk_size=1024, on_chunk=crash)
    assert not dest.exists()
    assert [p.name for p in dest.parent.iterdir() if p.suffix == ".part"] == []
    # and a later run succeeds
    assert assemble(_part_paths(fake_parts), dest, size=len(WHOLE)) == hashlib.sha256(WHOLE).hexdigest()
    assert dest.read_bytes() == WHOLE


def test_stale_temp_from_killed_process_is_removed(tmp_path, fake_parts):
    dest = tmp_path / "model.gguf"
    stale = tmp_path / ".model.gguf.abc123.part"
    stale.write_bytes(b"half")
    assemble(_part_paths(fake_parts), dest, size=len(WHOLE))
    assert not stale.exists()
    assert dest.read_bytes() == WHOLE


@pytest.mark.parametrize("bad", [{"size": len(WHOLE) + 1}, {"sha256": "0" * 64}])
def test_wrong_size_or_hash_is_refused(tmp_path, monkeypatch, fake_parts, bad):
    store = _store(tmp_path, monkeypatch, _spec(fake_parts, **bad))
    with pytest.raises(ModelUnavailableError) as info:
        store.path("fake-llm")
    assert "pip install --force-reinstall" in info.value.hint
    models_dir = tmp_path / "home" / "models"
    assert sorted(p.name for p in models_dir.iterdir() if not p.name.endswith(".lock")) == []


def test_truncated_final_file_is_not_trusted(tmp_path, monkeypatch, fake_parts):
    store = _store(tmp_path, monkeypatch, _spec(fake_parts))
    path = store.path("fake-llm")
    path.write_bytes(WHOLE[:-10])  # someone truncated it
    assert store.path("fake-llm").read_bytes() == WHOLE  # re-assembled


def test_corrupted_same_size_file_is_detected_through_sidecar_key(tmp_path, monkeypatch, fake_parts):
    store = _store(tmp_path, monkeypatch, _spec(fake_parts))
    path = store.path("fake-llm")
    path.write_bytes(b"X" * len(WHOLE))  # same size, new mtime -> sidecar no longer matches
    assert store.path("fake-llm").read_bytes() == WHOLE


def test_missing_part_package_names_the_pip_command(tmp_path, monkeypatch, fake_parts):
    store = _store(tmp_path, monkeypatch, _spec(fake_parts + ("no_such_part_pkg_xyz",)))
    assert store.status("fake-llm").state == "missing"
    with pytest.raises(ModelUnavailableError) as info:
        store.path("fake-llm")
    assert "no_such_part_pkg_xyz" in info.value.message
    assert info.value.hint.startswith("pip install fake-part1..3==1.0")


def test_concurrent_assemblies_produce_one_good_file(tmp_path, fake_parts):
    dest = tmp_path / "model.gguf"
    results, errors = [], []

    def work():
        try:
            results.append(assemble(_part_paths(fake_parts), dest, size=len(WHOLE), chunk_size=512))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    assert dest.read_bytes() == WHOLE
    assert not list(tmp_path.glob("*.part"))


def test_cached_sha256_uses_sidecar_until_file_changes(tmp_path):
    f = tmp_path / "w.bin"
    f.write_bytes(b"abc")
    assert cached_sha256(f) == hashlib.sha256(b"abc").hexdigest()
    sidecar = sidecar_path(f)
    sidecar.write_text(sidecar.read_text().replace(hashlib.sha256(b"abc").hexdigest(), "f" * 64))
    assert cached_sha256(f) == "f" * 64  # served from the cache (proves no re-hash)
    assert cached_sha256(f, force=True) == hashlib.sha256(b"abc").hexdigest()


def test_assembly_error_for_unreadable_part(tmp_path):
    with pytest.raises(AssemblyError, match="cannot read part"):
        assemble([tmp_path / "nope.bin"], tmp_path / "out.gguf")
    assert not (tmp_path / "out.gguf").exists()


def test_unknown_model_and_hub_model_errors(tmp_path):
    store = ModelStore(Config(home=str(tmp_path)))
    with pytest.raises(ModelUnavailableError, match="unknown model"):
        store.path("gpt-17")
    status = store.status("openai/clip-vit-base-patch32")
    assert status.state == "hub" and not status.offline
    with pytest.raises(ModelUnavailableError, match="hub model"):
        store.fetch("yolo11n.pt")


def test_local_file_detector_checked_against_pinned_hash(tmp_path):
    fake = tmp_path / "det.onnx"
    fake.write_bytes(b"not the real yolox")
    store = ModelStore(Config(home=str(tmp_path / "home")).replace(**{"detector.backend": "yolox",
                                                                      "detector.path": str(fake)}))
    assert store.status("yolox-nano").state == "present"
    with pytest.raises(ModelUnavailableError, match="wrong sha256"):
        store.path("yolox-nano")
    assert not store.verify("yolox-nano").ok
    missing = ModelStore(Config(home=str(tmp_path)).replace(**{"detector.backend": "yolox",
                                                              "detector.path": str(tmp_path / "none.onnx")}))
    assert missing.status("yolox-nano").state == "missing"
    with pytest.raises(ModelUnavailableError, match="not found"):
        missing.path("yolox-nano")


def test_registry_has_required_entries():
    for name in ["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "yolox-nano", "rapidocr", "efficientnet-lite0",
                 "all-minilm-l6-v2", "yolo11n.pt", "yoloe-11s-seg.pt", "Salesforce/blip-vqa-base",
                 "microsoft/Florence-2-base", "HuggingFaceTB/SmolVLM-256M-Instruct", "openai/clip-vit-base-patch32"]:
        assert name in REGISTRY
    assert REGISTRY["qwen2.5-coder-1.5b"].size == 1_117_320_768
    assert len(REGISTRY["qwen2.5-coder-1.5b"].parts) == 22
    assert REGISTRY["qwen2.5-coder-0.5b"].size == 491_400_064
    assert len(REGISTRY["qwen2.5-coder-0.5b"].parts) == 6
    with pytest.raises(ValueError):
        model_registry.ModelSpec(name="x", kind="nope", backend="b", source="hub")


@pytest.mark.slow
def test_real_half_billion_gguf_assembles_to_pinned_size_and_hash(tmp_path):
    store = ModelStore(Config(home=str(tmp_path)))
    path = store.fetch("qwen2.5-coder-0.5b")
    assert path.stat().st_size == 491_400_064
    with open(path, "rb") as fh:
        assert fh.read(4) == b"GGUF"
    assert store.verify("qwen2.5-coder-0.5b").ok


@pytest.mark.slow
def test_real_package_models_resolve():
    store = ModelStore(Config())
    assert store.path("efficientnet-lite0").suffix == ".pth"
    assert store.path("rapidocr").is_dir()
