"""Vector indices behind one small interface, so a KB can outgrow one machine.

``VectorIndex`` is what the KB needs: add vectors under int64 ids, search by inner product,
remove ids, save/load. ``FaissIndex`` implements it in-process with an exact ``IndexFlatIP``
for small collections and HNSW (or IVF) for large ones; an on-disk IVF-PQ index, a sharded
index or a vector-database client can implement the same methods without touching the KB.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from retrieval.errors import KBError

INDEX_TYPES = ("flat", "hnsw", "ivf")
FLAT_MAX = 20_000  # exact search stays well under a millisecond per query up to here


@runtime_checkable
class VectorIndex(Protocol):
    kind: str
    dim: int

    @property
    def ntotal(self) -> int: ...

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    def remove(self, ids: np.ndarray) -> None: ...

    def save(self, path: Path) -> None: ...


def choose_kind(n: int, override: str | None = None) -> str:
    """Exact search while it is cheap, HNSW beyond (no training, good recall/latency)."""
    if override and override != "auto":
        if override not in INDEX_TYPES:
            raise KBError(f"unknown index type {override!r}; choose one of {', '.join(INDEX_TYPES)} or auto")
        return override
    return "flat" if n <= FLAT_MAX else "hnsw"


def make_faiss(kind: str, dim: int, n_hint: int = 0, *, hnsw_m: int = 32, ef_search: int = 64,
               ef_construction: int = 80, nlist: int | None = None, nprobe: int = 16):
    """A bare faiss index (no id map) of the given kind, inner-product metric."""
    import faiss

    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        index.hnsw.efSearch = ef_search
        return index
    if kind == "ivf":
        nlist = nlist or max(1, min(4096, int(4 * np.sqrt(max(n_hint, 1)))))
        nlist = max(1, min(nlist, n_hint)) if n_hint else nlist  # never more lists than training points
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.nprobe = min(nprobe, nlist)
        return index
    raise KBError(f"unknown index type {kind!r}")


class FaissIndex:
    """An id-mapped faiss index. IVF trains on the first batch it is given."""

    def __init__(self, kind: str, dim: int, index=None) -> None:
        import faiss

        self.kind = kind
        self.dim = dim
        self._index = index if index is not None else faiss.IndexIDMap2(make_faiss(kind, dim))

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        ids = np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)
        if len(ids) != len(vectors):
            raise ValueError("ids and vectors differ in length")
        if not len(ids):
            return
        if not self._index.is_trained:  # IVF: size the coarse quantiser for this batch
            import faiss

            self._index = faiss.IndexIDMap2(make_faiss(self.kind, self.dim, len(vectors)))
            self._index.train(vectors)
        self._index.add_with_ids(vectors, ids)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        if self.ntotal == 0 or k <= 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        scores, ids = self._index.search(queries, min(k, self.ntotal))
        return scores, ids

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """All (ids, vectors); used to rebuild as another kind or after removals."""
        import faiss

        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        if not len(ids):
            return ids, np.zeros((0, self.dim), np.float32)
        base = faiss.downcast_index(self._index.index)
        if self.kind == "ivf":
            base.make_direct_map()  # IVF can only reconstruct through a direct map
        return ids, base.reconstruct_n(0, len(ids)).astype(np.float32)

    def remove(self, ids: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if not len(ids):
            return
        if self.kind != "hnsw":
            self._index.remove_ids(ids)
            return
        # HNSW cannot delete in place: rebuild from the stored vectors.
        all_ids, vecs = self.vectors()
        keep = ~np.isin(all_ids, ids)
        fresh = FaissIndex(self.kind, self.dim)
        fresh.add(all_ids[keep], vecs[keep])
        self._index = fresh._index

    def converted(self, kind: str) -> FaissIndex:
        if kind == self.kind:
            return self
        fresh = FaissIndex(kind, self.dim)
        fresh.add(*self.vectors())
        return fresh

    def save(self, path: Path) -> None:
        import faiss

        tmp = Path(f"{path}.tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, kind: str, dim: int) -> FaissIndex:
        import faiss

        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise KBError(f"{path}: cannot read the vector index ({exc})") from None
        if index.d != dim:
            raise KBError(f"{path}: index dimension {index.d} does not match the manifest ({dim})")
        return cls(kind, dim, index)
