import numpy as np
import pytest

from retrieval.errors import KBError
from retrieval.index import FaissIndex, VectorIndex, choose_kind


def _data(n=300, d=16, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, d)).astype(np.float32)
    return np.arange(100, 100 + n), v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_add_search_remove_save_load(kind, tmp_path):
    ids, vecs = _data()
    index = FaissIndex(kind, 16)
    assert isinstance(index, VectorIndex)
    index.add(ids, vecs)
    assert index.ntotal == 300
    scores, found = index.search(vecs[:5], 3)
    assert list(found[:, 0]) == list(ids[:5])
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-4)
    index.remove(ids[:2])
    assert index.ntotal == 298
    _, found = index.search(vecs[:1], 5)
    assert ids[0] not in found
    index.save(tmp_path / "x.faiss")
    again = FaissIndex.load(tmp_path / "x.faiss", kind, 16)
    assert again.ntotal == 298
    with pytest.raises(KBError, match="dimension"):
        FaissIndex.load(tmp_path / "x.faiss", kind, 8)


def test_choose_kind():
    assert choose_kind(10) == "flat"
    assert choose_kind(10_000_000) == "hnsw"
    assert choose_kind(10, "ivf") == "ivf"
    with pytest.raises(KBError):
        choose_kind(10, "annoy")


def test_convert_keeps_vectors():
    ids, vecs = _data(50)
    flat = FaissIndex("flat", 16)
    flat.add(ids, vecs)
    hnsw = flat.converted("hnsw")
    assert hnsw.kind == "hnsw" and hnsw.ntotal == 50
    assert hnsw.search(vecs[7:8], 1)[1][0, 0] == ids[7]


def test_empty_index_search():
    scores, ids = FaissIndex("flat", 4).search(np.ones(4), 3)
    assert scores.shape == (1, 0)
