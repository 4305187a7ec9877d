"""The knowledge base: sources -> chunks/images -> vectors in FAISS + metadata in SQLite.

Text chunks and image descriptions share the text index (tagged by modality), so a text
query finds both; image features live in a separate image index for image->image search.
Every change goes through ``_change`` which works on a staging copy and publishes it
atomically (see ``retrieval.store``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from agent.config import Config
from agent.images import load_image
from retrieval.embedders import ImageEmbedder, TextEmbedder, image_embedder, image_embedder_name, text_embedder
from retrieval.errors import KBError
from retrieval.index import FaissIndex, choose_kind
from retrieval.sources import Source, caption_path, discover, text_items
from retrieval.store import DB, FORMAT, MetaStore, VersionedDir, read_manifest, write_manifest
from retrieval.types import Hit, Item, item_id

FORMAT_VERSION = 1
INDEX_FILES = {"text": "text.faiss", "image": "image.faiss"}
THUMB_SIZE = 256


def _progress(iterable, enabled: bool, **kw):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, **kw)


class KnowledgeBase:
    def __init__(self, root: Path, config: Config, *, describer: Callable | None = None,
                 text_embedder_: TextEmbedder | None = None, image_embedder_: ImageEmbedder | None = None) -> None:
        self.root = Path(root).expanduser()
        self.config = config
        self._vd = VersionedDir(self.root)
        self._describer = describer
        self._text_emb = text_embedder_
        self._image_emb = image_embedder_
        if self._text_emb is not None and self._text_emb.name != self.text_model:
            raise KBError(f"the given text embedder is {self._text_emb.name!r} but the config names {self.text_model!r}")
        self.version_dir: Path | None = None
        self.manifest: dict = {}
        self.meta: MetaStore | None = None
        self.indices: dict[str, FaissIndex | None] = {"text": None, "image": None}

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def build(cls, src_dir: str | Path, kb_dir: str | Path, config: Config, describer: Callable | None = None,
              progress: bool = True, *, index_type: str = "auto", text_embedder: TextEmbedder | None = None,
              image_embedder: ImageEmbedder | None = None) -> KnowledgeBase:
        """Build a KB from every source under ``src_dir``; an existing KB there is replaced atomically.

        ``kb_dir`` must be new, empty or a KB: a folder holding anything else is refused (``KBError``)
        before anything is written.
        """
        kb = cls(kb_dir, config, describer=describer, text_embedder_=text_embedder, image_embedder_=image_embedder)
        kb._vd.check_buildable()
        sources = discover([src_dir])
        kb._change(lambda meta, idx: kb._ingest(sources, meta, idx, progress), fresh=True, index_type=index_type)
        return kb

    @classmethod
    def open(cls, kb_dir: str | Path, config: Config, *, describer: Callable | None = None,
             text_embedder: TextEmbedder | None = None, image_embedder: ImageEmbedder | None = None) -> KnowledgeBase:
        kb = cls(kb_dir, config, describer=describer, text_embedder_=text_embedder, image_embedder_=image_embedder)
        if kb._vd.current() is None:
            raise KBError(f"{kb.root}: not a knowledge base (no {kb.root / 'CURRENT'})",
                          hint=f"build one with `visreason kb build SRC_DIR --kb {kb.root}`")
        kb._load()
        return kb

    @property
    def text_model(self) -> str:
        return self.config.embedder.text_model

    @property
    def image_model(self) -> str:
        return image_embedder_name(self.config)

    # -- embedders (lazy: opening a KB loads no model) -----------------------------------------
    def _text(self) -> TextEmbedder:
        if self._text_emb is None:
            self._text_emb = text_embedder(self.config)
        return self._text_emb

    def _image(self) -> ImageEmbedder:
        if self._image_emb is None:
            self._image_emb = image_embedder(self.config)
        return self._image_emb

    def describe(self, img, caption: str = "") -> str:
        """What the KB's describer (by default the vision tools) says about an image."""
        if self._describer is None:
            from retrieval.describe import ToolDescriber

            self._describer = ToolDescriber(self.config)
        return self._describer(img, caption)

    # -- loading and checking ------------------------------------------------------------------
    def _load(self) -> None:
        version = self._vd.current()
        manifest = read_manifest(version)
        if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
            raise KBError(f"{version}: not a {FORMAT} v{FORMAT_VERSION} manifest")
        self._check_models(manifest)
        if self.meta is not None:
            self.meta.close()
        meta = MetaStore(version / DB)
        counts = meta.counts()
        indices: dict[str, FaissIndex | None] = {}
        for modality, fname in INDEX_FILES.items():
            spec = manifest["indices"].get(modality)
            if spec is None:
                indices[modality] = None
                continue
            if not (version / fname).exists():
                raise KBError(f"{version / fname}: missing vector index listed in the manifest")
            indices[modality] = FaissIndex.load(version / fname, spec["type"], spec["dim"])
            if indices[modality].ntotal != spec["count"]:
                raise KBError(f"{version / fname}: holds {indices[modality].ntotal} vectors, manifest says "
                              f"{spec['count']}", hint="the KB is damaged; rebuild it")
        expected = manifest["counts"]
        if counts["items"] != expected["items"] or counts["sources"] != expected["sources"]:
            raise KBError(f"{version / DB}: {counts} does not match the manifest counts {expected}")
        self.version_dir, self.manifest, self.meta, self.indices = version, manifest, meta, indices

    def _check_models(self, manifest: dict) -> None:
        built, configured = manifest["text_model"], self.text_model
        if built != configured:
            raise KBError(f"{self.root}: built with text embedder {built!r} but the config uses {configured!r}",
                          hint=f"use --set embedder.text_model={built} or rebuild the KB")
        if manifest["indices"].get("image") and manifest["image_model"] != self.image_model:
            raise KBError(f"{self.root}: images embedded with {manifest['image_model']!r} but the config uses "
                          f"{self.image_model!r}", hint="match embedder.clip_model to the KB or rebuild it")

    # -- changes ---------------------------------------------------------------------------------
    def _change(self, apply: Callable[[MetaStore, dict], Any], *, fresh: bool = False,
                index_type: str | None = None) -> Any:
        with self._vd.locked():
            result = self._change_locked(apply, fresh=fresh, index_type=index_type)
        self._load()
        return result

    def _change_locked(self, apply: Callable[[MetaStore, dict], Any], *, fresh: bool, index_type: str | None) -> Any:
        staging = self._vd.begin(fresh=fresh)
        try:
            old = {} if fresh else read_manifest(staging)
            override = index_type or old.get("index_override", "auto")
            meta = MetaStore(staging / DB)
            indices: dict[str, FaissIndex | None] = {}
            for modality, fname in INDEX_FILES.items():
                spec = old.get("indices", {}).get(modality)
                indices[modality] = FaissIndex.load(staging / fname, spec["type"], spec["dim"]) if spec else None
            result = apply(meta, indices)
            specs = {}
            for modality, index in indices.items():
                if index is None:
                    continue
                index = index.converted(choose_kind(index.ntotal, override))  # grow into HNSW when large
                index.save(staging / INDEX_FILES[modality])
                specs[modality] = {"type": index.kind, "dim": index.dim, "count": index.ntotal}
            meta.commit()
            counts = meta.counts()
            meta.close()
            write_manifest(staging, {
                "format": FORMAT, "format_version": FORMAT_VERSION, "text_model": self.text_model,
                "image_model": self.image_model, "indices": specs, "counts": counts, "index_override": override,
                "created": old.get("created", time.time()), "updated": time.time(),
            })
            self._vd.commit(staging)
        except BaseException:
            self._vd.abort(staging)
            raise
        return result

    def _ingest(self, sources: list[Source], meta: MetaStore, indices: dict, progress: bool) -> dict:
        report = {"added": [], "replaced": [], "unchanged": [], "duplicates": []}
        seen: set[str] = set()
        texts: list[Item] = []
        images: list[tuple[Item, Any, str | None]] = []
        for src in _progress(sources, progress, desc="reading sources", unit="file"):
            if meta.source_digest(src.name) == src.digest:
                report["unchanged"].append(src.name)
                continue
            twin = meta.source_with_digest(src.digest)
            if src.digest in seen or (twin and twin != src.name):
                report["duplicates"].append(src.name)
                continue
            seen.add(src.digest)
            if meta.source_digest(src.name) is not None:
                self._remove(meta, indices, src.name)
                report["replaced"].append(src.name)
            else:
                report["added"].append(src.name)
            meta.set_source(src.name, src.digest, src.kind)
            if src.kind == "image":
                images.append(self._image_item(src))
            else:
                texts.extend(text_items(src))
        # Image items go in the text index too (through their description) for text->image search.
        all_text = texts + [item for item, _, _ in images]
        ids = meta.add_items(texts) + meta.add_items([i for i, _, _ in images], [t for _, _, t in images])
        if all_text:
            vecs = self._embed_texts([i.text for i in all_text], progress)
            indices["text"] = indices["text"] or FaissIndex("flat", vecs.shape[1])
            indices["text"].add(np.array(ids), vecs)
        if images:
            feats = self._image().embed_images([img for _, img, _ in images])
            indices["image"] = indices["image"] or FaissIndex("flat", feats.shape[1])
            indices["image"].add(np.array(ids[len(texts):]), feats)
        return report

    def _embed_texts(self, texts: list[str], progress: bool, batch: int = 64) -> np.ndarray:
        emb = self._text()
        parts = [emb.embed_texts(texts[i:i + batch])
                 for i in _progress(range(0, len(texts), batch), progress and len(texts) > batch,
                                    desc="embedding", unit="batch")]
        return np.concatenate(parts) if parts else np.zeros((0, emb.dim), np.float32)

    def _image_item(self, src: Source) -> tuple[Item, Any, str | None]:
        img = load_image(src.path, self.config.images)
        side = caption_path(src.path)
        caption = side.read_text(encoding="utf-8", errors="replace").strip() if side else ""
        description = self.describe(img, caption)
        thumb = self._thumbnail(img, src.digest)
        meta = {"kind": "image", "width": img.size[0], "height": img.size[1], "caption": caption}
        return Item(src.name, "image", description, 0, meta, image_path=src.name), img, thumb

    def _thumbnail(self, img, digest: str) -> str:
        folder = self.root / "thumbs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{digest[:24]}.jpg"
        if not path.exists():
            small = img.copy()
            small.thumbnail((THUMB_SIZE, THUMB_SIZE))
            tmp = folder / f".{path.name}.{os.getpid()}.tmp"
            small.save(tmp, format="JPEG", quality=85)
            os.replace(tmp, path)
        return str(path)

    @staticmethod
    def _remove(meta: MetaStore, indices: dict, source: str) -> int:
        rows = meta.delete_source(source)
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        for index in indices.values():
            if index is not None:
                index.remove(ids)
        return len(rows)

    def add(self, paths: list[str | Path], progress: bool = False) -> dict:
        """Add files or folders; unchanged or duplicate content is skipped, changed files replaced."""
        sources = discover(paths)
        return self._change(lambda meta, idx: self._ingest(sources, meta, idx, progress))

    def resolve_source(self, source: str | Path) -> str:
        known = [s for s, _ in self.meta.sources()]
        candidates = [str(source), str(Path(source).expanduser().resolve())]
        for c in candidates:
            if c in known:
                return c
        by_name = [s for s in known if Path(s).name == str(source)]
        if len(by_name) == 1:
            return by_name[0]
        raise KBError(f"{source}: no such source in the KB" + (" (ambiguous name)" if by_name else ""),
                      hint="`visreason kb info --kb DIR` lists the sources")

    def delete(self, source: str | Path) -> int:
        """Remove every item of one source; returns how many items went."""
        name = self.resolve_source(source)
        return self._change(lambda meta, idx: self._remove(meta, idx, name))

    # -- search ----------------------------------------------------------------------------------
    def _hits(self, scores: np.ndarray, ids: np.ndarray, k: int, modality: str | None = None) -> list[Hit]:
        pairs = [(float(s), int(i)) for s, i in zip(scores, ids, strict=True) if i >= 0]
        rows = self.meta.get([i for _, i in pairs])
        hits = []
        for score, i in pairs:
            row = rows.get(i)
            if row is None or (modality and row["modality"] != modality):
                continue
            hits.append(Hit(item_id(i), row["source"], row["modality"], row["text"], round(score, 4),
                            {**row["metadata"], "chunk_index": row["chunk_index"]}, row["thumbnail"]))
            if len(hits) == k:
                break
        return hits

    def search_text(self, query: str, k: int = 5) -> list[Hit]:
        index = self.indices["text"]
        if index is None or not query.strip():
            return []
        scores, ids = index.search(self._text().embed_texts([query]), k)
        return self._hits(scores[0], ids[0], k)

    def search_image(self, img: Any, k: int = 5) -> list[Hit]:
        index = self.indices["image"]
        if index is None:
            return []
        scores, ids = index.search(self._image().embed_images([load_image(img, self.config.images)]), k)
        return self._hits(scores[0], ids[0], k)

    def search_images_by_text(self, query: str, k: int = 5) -> list[Hit]:
        """Images for a text query: CLIP text->image if configured, else via image descriptions."""
        emb = self._image() if self.config.embedder.clip_model else None
        if emb is not None and hasattr(emb, "embed_texts") and self.indices["image"] is not None:
            scores, ids = self.indices["image"].search(emb.embed_texts([query]), k)
            return self._hits(scores[0], ids[0], k)
        index = self.indices["text"]
        if index is None or not query.strip():
            return []
        scores, ids = index.search(self._text().embed_texts([query]), max(4 * k, 20))
        return self._hits(scores[0], ids[0], k, modality="image")

    def info(self) -> dict:
        return {"kb_dir": str(self.root), "version": self.version_dir.name, **self.manifest,
                "sources": [{"source": s, "kind": kind} for s, kind in self.meta.sources()]}

    def close(self) -> None:
        if self.meta is not None:
            self.meta.close()
            self.meta = None
