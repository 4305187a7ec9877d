"""On-disk layout of a KB and its atomic updates.

    KB_DIR/CURRENT           name of the live version directory (replaced atomically)
    KB_DIR/v000003/          manifest.json, items.sqlite, text.faiss, image.faiss
    KB_DIR/thumbs/<hash>.jpg content-addressed thumbnails shared by versions

Every change (build, add, delete) is made in a fresh staging directory, copied from the live
version, then renamed to the next version and published by replacing ``CURRENT``. A crash at
any point before that last ``os.replace`` leaves the old version live and untouched; staging
leftovers are removed on the next change. The previous version is kept as a fallback, so a
reader that opened it just before a switch can finish. Writers take an exclusive file lock.

Only what the KB made is ever removed: a version is a directory named exactly ``v<digits>``
(ordered by number) holding a visreason-kb manifest, a staging directory is exactly
``.staging-<32 hex>``. Anything else in the folder (a user's ``v1/`` or ``v2_old/``) is never
touched, and a build into a non-empty folder that is not a KB is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
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
FORMAT = "visreason-kb"  # the manifest's "format": what marks a version directory as the KB's own
THUMBS = "thumbs"
_VERSION = re.compile(r"v(\d+)")
_STAGING = re.compile(r"\.staging-[0-9a-f]{32}")
_POINTER_TMP = re.compile(r"\.CURRENT\.[0-9a-f]{32}\.tmp")
_THUMB = re.compile(r"\.?[0-9a-f]{24}\.jpg(\.\d+\.tmp)?")

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
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise KBError(f"{pointer}: cannot read the version pointer ({exc})") from None
        if not _VERSION.fullmatch(name):
            raise KBError(f"{pointer}: damaged pointer {name!r}")
        return self.root / name

    @contextlib.contextmanager
    def locked(self):
        """One writer at a time (across processes); readers never wait."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _versions(self) -> list[tuple[int, Path]]:
        """The KB's own versions, oldest first by number: ``v<digits>`` directories holding our manifest."""
        return sorted((number, path) for number, path in self._numbered() if path.is_dir() and _is_version(path))

    def _numbered(self) -> list[tuple[int, Path]]:
        """Every entry named ``v<digits>``, ours or not (a new version must not reuse any of their names)."""
        if not self.root.is_dir():
            return []
        out = []
        for path in self.root.iterdir():
            match = _VERSION.fullmatch(path.name)
            if match:
                out.append((int(match.group(1)), path))
        return out

    def is_kb(self) -> bool:
        """True if CURRENT names one of the KB's own versions."""
        try:
            live = self.current()
        except (KBError, OSError, UnicodeDecodeError):
            return False
        return live is not None and live.is_dir() and _is_version(live)

    def check_buildable(self) -> None:
        """Refuse to build into a folder that exists, is not empty and is not a KB (nothing is written).

        A folder holding only what a KB leaves behind (its lock, staging or pointer leftovers of
        a crashed first build, its versions and thumbnails) counts as a KB.
        """
        if not self.root.exists():
            return
        if not self.root.is_dir():
            raise KBError(f"{self.root}: exists and is not a directory; refusing to build a knowledge base there",
                          hint="choose a new or empty folder for --kb")
        if self.is_kb():
            return
        foreign = sorted(p.name for p in self.root.iterdir() if not _kb_leftover(p))
        if foreign:
            shown = ", ".join(foreign[:5]) + (f", ... ({len(foreign)} entries)" if len(foreign) > 5 else "")
            raise KBError(f"{self.root}: not empty and not a knowledge base (it holds {shown}); "
                          "refusing to build into it, nothing was changed",
                          hint="choose a new or empty folder for --kb, or an existing knowledge base to replace")

    def begin(self, *, fresh: bool = False) -> Path:
        """A staging directory holding a copy of the live version (or nothing if ``fresh``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        for stale in self.root.iterdir():
            if _STAGING.fullmatch(stale.name) and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        staging = self.root / f".staging-{uuid.uuid4().hex}"
        live = self.current()
        if live is not None and not fresh:
            shutil.copytree(live, staging)
        else:
            staging.mkdir()
        return staging

    def commit(self, staging: Path) -> Path:
        number = max((n for n, _ in self._numbered()), default=0) + 1
        final = self.root / f"v{number:06d}"
        os.replace(staging, final)  # a fresh name: nothing of anyone's is replaced
        _fsync_write(self.root / POINTER, final.name)  # the single step that publishes the change
        keep = {final, self.current()}
        for _, old in self._versions()[:-KEEP_VERSIONS]:
            if old not in keep:
                shutil.rmtree(old, ignore_errors=True)
        return final

    @staticmethod
    def abort(staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)


def _is_version(path: Path) -> bool:
    """A directory the KB published: its manifest says ``visreason-kb`` (a user's ``v1/`` never does)."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT


def _kb_leftover(path: Path) -> bool:
    """An entry a KB (or a crashed first build of one) leaves in its folder."""
    name = path.name
    if name in {POINTER, ".lock"} or _POINTER_TMP.fullmatch(name):
        return path.is_file()
    if _STAGING.fullmatch(name):
        return path.is_dir()
    if _VERSION.fullmatch(name):
        return path.is_dir() and _is_version(path)
    if name == THUMBS and path.is_dir():
        return all(_THUMB.fullmatch(p.name) and p.is_file() for p in path.iterdir())
    return False


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
