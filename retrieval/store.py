"""On-disk layout of a KB and its atomic updates.

    KB_DIR/CURRENT           name of the live version directory (replaced atomically)
    KB_DIR/v000003/          manifest.json, items.sqlite, text.faiss, image.faiss
    KB_DIR/thumbs/<hash>.jpg content-addressed thumbnails shared by versions

Every change (build, add, delete) is made in a fresh staging directory, copied from the live
version, then renamed to the next version and published by replacing ``CURRENT``. A crash at
any point before that last ``os.replace`` leaves the old version live and untouched; staging
leftovers are removed on the next change. The previous version is kept as a fallback, so a
reader that opened it just before a switch can finish. Writers take an exclusive file lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

from retrieval.errors import KBError
from retrieval.types import Item

POINTER = "CURRENT"
MANIFEST = "manifest.json"
DB = "items.sqlite"
KEEP_VERSIONS = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL, modality TEXT NOT NULL, chunk_index INTEGER NOT NULL,
    text TEXT NOT NULL, metadata TEXT NOT NULL, image_path TEXT, thumbnail TEXT);
CREATE INDEX IF NOT EXISTS items_source ON items(source);
CREATE TABLE IF NOT EXISTS sources (source TEXT PRIMARY KEY, digest TEXT NOT NULL, kind TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sources_digest ON sources(digest);
"""


def _fsync_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class VersionedDir:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser()

    def current(self) -> Path | None:
        pointer = self.root / POINTER
        if not pointer.exists():
            return None
        name = pointer.read_text(encoding="utf-8").strip()
        if not name.startswith("v") or "/" in name:
            raise KBError(f"{pointer}: damaged pointer {name!r}")
        return self.root / name

    @contextlib.contextmanager
    def locked(self):
        """One writer at a time (across processes); readers never wait."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _versions(self) -> list[Path]:
        return sorted(p for p in self.root.glob("v[0-9]*") if p.is_dir())

    def begin(self, *, fresh: bool = False) -> Path:
        """A staging directory holding a copy of the live version (or nothing if ``fresh``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        for stale in self.root.glob(".staging-*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging = self.root / f".staging-{uuid.uuid4().hex}"
        live = self.current()
        if live is not None and not fresh:
            shutil.copytree(live, staging)
        else:
            staging.mkdir()
        return staging

    def commit(self, staging: Path) -> Path:
        versions = self._versions()
        number = int(versions[-1].name[1:]) + 1 if versions else 1
        final = self.root / f"v{number:06d}"
        os.replace(staging, final)
        _fsync_write(self.root / POINTER, final.name)  # the single step that publishes the change
        for old in self._versions()[:-KEEP_VERSIONS]:
            shutil.rmtree(old, ignore_errors=True)
        return final

    @staticmethod
    def abort(staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)


def write_manifest(version_dir: Path, manifest: dict) -> None:
    _fsync_write(version_dir / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))


def read_manifest(version_dir: Path) -> dict:
    path = version_dir / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KBError(f"{path}: missing manifest", hint="rebuild with `visreason kb build`") from None
    except json.JSONDecodeError as exc:
        raise KBError(f"{path}: damaged manifest ({exc.msg})") from None


class MetaStore:
    """Items and sources in SQLite, one connection per store object."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise KBError(f"{path}: cannot open the item database ({exc})") from None

    def close(self) -> None:
        self._db.close()

    def commit(self) -> None:
        self._db.commit()

    def add_items(self, items: list[Item], thumbnails: list[str | None] | None = None) -> list[int]:
        thumbnails = thumbnails or [None] * len(items)
        ids = []
        for item, thumb in zip(items, thumbnails, strict=True):
            cur = self._db.execute(
                "INSERT INTO items(source, modality, chunk_index, text, metadata, image_path, thumbnail) "
                "VALUES (?,?,?,?,?,?,?)",
                (item.source, item.modality, item.chunk_index, item.text, json.dumps(item.metadata),
                 item.image_path, thumb))
            ids.append(int(cur.lastrowid))
        return ids

    def set_source(self, source: str, digest: str, kind: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO sources(source, digest, kind) VALUES (?,?,?)", (source, digest, kind))

    def source_digest(self, source: str) -> str | None:
        row = self._db.execute("SELECT digest FROM sources WHERE source=?", (source,)).fetchone()
        return row[0] if row else None

    def source_with_digest(self, digest: str) -> str | None:
        row = self._db.execute("SELECT source FROM sources WHERE digest=?", (digest,)).fetchone()
        return row[0] if row else None

    def sources(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._db.execute("SELECT source, kind FROM sources ORDER BY source")]

    def delete_source(self, source: str) -> list[tuple[int, str]]:
        rows = [(int(r[0]), r[1]) for r in self._db.execute("SELECT id, modality FROM items WHERE source=?", (source,))]
        self._db.execute("DELETE FROM items WHERE source=?", (source,))
        self._db.execute("DELETE FROM sources WHERE source=?", (source,))
        return rows

    def get(self, ids: list[int]) -> dict[int, dict]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT id, source, modality, chunk_index, text, metadata, image_path, thumbnail FROM items "  # noqa: S608
            f"WHERE id IN ({marks})", [int(i) for i in ids])
        out = {}
        for r in rows:
            out[int(r[0])] = {"id": int(r[0]), "source": r[1], "modality": r[2], "chunk_index": r[3], "text": r[4],
                              "metadata": json.loads(r[5]), "image_path": r[6], "thumbnail": r[7]}
        return out

    def counts(self) -> dict[str, int]:
        by_mod = dict(self._db.execute("SELECT modality, COUNT(*) FROM items GROUP BY modality").fetchall())
        n_sources = self._db.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
        return {"items": sum(by_mod.values()), "text_items": by_mod.get("text", 0),
                "image_items": by_mod.get("image", 0), "sources": n_sources}
