"""The program memory on disk: versioned, atomically published, never half-written.

Layout under ``$VISREASON_HOME/memory``::

    CURRENT            "v7": the published version (replaced atomically with os.replace)
    v7/entries.jsonl   one learned template per line
    v7/manifest.json   {"kind": "visreason-program-memory", "version": 7, "count": n, "sha256": ...}
    .lock              writers serialise on it (fcntl); readers never wait

A writer builds ``vN.tmp-PID``, fsyncs it, renames it to ``vN`` and then points CURRENT at it,
so a reader sees the old version or the new one, never a mix; ``kill -9`` at any moment leaves
a usable memory. Only folders that match ``v<digits>`` *and* hold our manifest are ever pruned.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent.errors import VisreasonError

KIND = "visreason-program-memory"
KEEP_VERSIONS = 3
_VERSION = re.compile(r"v(\d+)")


class MemoryCorruptError(VisreasonError):
    """The program memory on disk cannot be read; planning goes on without it."""


@dataclass(frozen=True)
class Entry:
    """One remembered program, as stored. ``program`` holds slot placeholders (see template.py)."""

    id: str
    question: str  # the example question it was learned from
    program: str
    slots: tuple[str, ...]
    forms: tuple[str, ...]
    key: tuple[str, ...]
    n_images: int
    source: str = "learned"  # seed | learned | thumbs-up | user
    group: str = ""
    added: float = field(default_factory=time.time)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, row: dict, where: str) -> Entry:
        try:
            return cls(id=str(row["id"]), question=str(row["question"]), program=str(row["program"]),
                       slots=tuple(row["slots"]), forms=tuple(row["forms"]), key=tuple(row["key"]),
                       n_images=int(row["n_images"]), source=str(row.get("source", "learned")),
                       group=str(row.get("group", "")), added=float(row.get("added", 0.0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise MemoryCorruptError(f"{where}: bad memory entry ({exc})",
                                     hint="run `visreason memory export` to save what is readable, then "
                                          "`visreason memory reset`") from None


@dataclass(frozen=True)
class Snapshot:
    version: int
    entries: tuple[Entry, ...]
    forgotten: frozenset[str]  # ids (seeds included) the user removed


class MemoryStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- reading --------------------------------------------------------------------------
    def current_version(self) -> int:
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            return 0
        text = pointer.read_text().strip()
        match = _VERSION.fullmatch(text)
        if not match:
            raise MemoryCorruptError(f"{pointer}: expected a version like 'v3', found {text[:40]!r}",
                                     hint="`visreason memory reset` starts again from the seeds")
        return int(match.group(1))

    def load(self) -> Snapshot:
        version = self.current_version()
        if version == 0:
            return Snapshot(0, (), frozenset())
        folder = self.root / f"v{version}"
        manifest_path, entries_path = folder / "manifest.json", folder / "entries.jsonl"
        try:
            manifest = json.loads(manifest_path.read_text())
            raw = entries_path.read_bytes()
        except (OSError, json.JSONDecodeError) as exc:
            raise MemoryCorruptError(f"{folder}: unreadable ({exc})",
                                     hint="`visreason memory reset` starts again from the seeds") from None
        if manifest.get("kind") != KIND or manifest.get("sha256") != hashlib.sha256(raw).hexdigest():
            raise MemoryCorruptError(f"{entries_path}: does not match its manifest (edited or truncated)",
                                     hint="`visreason memory reset` starts again from the seeds")
        entries = []
        for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise MemoryCorruptError(f"{entries_path}:{number}: not JSON ({exc.msg})") from None
                entries.append(Entry.from_json(row, f"{entries_path}:{number}"))
        return Snapshot(version, tuple(entries), frozenset(manifest.get("forgotten", [])))

    # -- writing --------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def update(self, change) -> Snapshot:
        """Apply ``change(snapshot) -> (entries, forgotten)`` under the lock and publish the result."""
        with self._locked():
            snap = self.load()
            entries, forgotten = change(snap)
            if tuple(entries) == snap.entries and frozenset(forgotten) == snap.forgotten:
                return snap
            return self._publish(snap.version + 1, tuple(entries), frozenset(forgotten))

    def reset(self) -> None:
        """Forget everything learned (a corrupt memory included); the seeds remain."""
        with self._locked():
            version = self._highest_version() + 1
            self._publish(version, (), frozenset())

    def _highest_version(self) -> int:
        found = [int(m.group(1)) for p in self.root.iterdir() if (m := _VERSION.fullmatch(p.name))]
        return max(found, default=0)

    def _publish(self, version: int, entries: tuple[Entry, ...], forgotten: frozenset[str]) -> Snapshot:
        version = max(version, self._highest_version() + 1)
        body = "".join(json.dumps(e.to_json(), sort_keys=True) + "\n" for e in entries).encode()
        manifest = {"kind": KIND, "version": version, "count": len(entries), "created": time.time(),
                    "sha256": hashlib.sha256(body).hexdigest(), "forgotten": sorted(forgotten)}
        tmp = self.root / f"v{version}.tmp-{os.getpid()}"
        tmp.mkdir(parents=True)
        _write(tmp / "entries.jsonl", body)
        _write(tmp / "manifest.json", json.dumps(manifest, indent=1).encode())
        os.replace(tmp, self.root / f"v{version}")
        pointer_tmp = self.root / f"CURRENT.tmp-{os.getpid()}"
        _write(pointer_tmp, f"v{version}\n".encode())
        os.replace(pointer_tmp, self.root / "CURRENT")
        _fsync_dir(self.root)
        self._prune(version)
        return Snapshot(version, entries, forgotten)

    def _prune(self, current: int) -> None:
        ours = []
        for path in self.root.iterdir():
            match = _VERSION.fullmatch(path.name)
            if not (match and path.is_dir()):
                continue
            try:
                if json.loads((path / "manifest.json").read_text()).get("kind") == KIND:
                    ours.append(int(match.group(1)))
            except (OSError, json.JSONDecodeError):
                continue  # not ours (or broken): never touched
        for version in sorted(v for v in ours if v < current)[:-(KEEP_VERSIONS - 1) or None]:
            shutil.rmtree(self.root / f"v{version}", ignore_errors=True)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
