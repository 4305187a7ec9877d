"""Durable JSONL results: one full line per finished item, appended, flushed and fsynced at once.

Why this shape: a batch may be killed at any moment (SIGKILL, OOM, power). Every result is
one ``os.write`` of a complete line to an ``O_APPEND`` descriptor followed by ``fsync``, so
the file is always a run of complete lines plus, at worst, one torn line at the end (a kill
in the middle of a write). Opening with ``resume`` cuts that torn tail away and reports the
ids already done, so a resumed run ends with every id exactly once.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from pathlib import Path
from typing import Any

from agent.errors import InputError


def _parse_record(line: bytes) -> dict | None:
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return obj if isinstance(obj, dict) and "id" in obj else None


class ResultWriter:
    """Append-only, crash-safe writer of result records; thread-safe.

    ``resume``: keep existing complete lines (``done_ids``), drop a torn last line.
    ``overwrite``: start from an empty file. Neither, and the file has content: ``InputError``.
    """

    def __init__(self, path: str | Path, *, resume: bool = False, overwrite: bool = False, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self.done_ids: set[str] = set()
        self.repaired_bytes = 0  # size of a torn tail removed on open
        self._lock = threading.Lock()
        if self.path.is_dir():
            raise InputError(f"{self.path}: is a directory, expected an output .jsonl file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot open the output file: {exc.strerror or exc}") from None
        try:
            self._lock_file()
            self._prepare(resume=resume, overwrite=overwrite)
            if created and fsync:
                _fsync_dir(self.path.parent)
        except BaseException:
            os.close(self._fd)
            raise

    def _lock_file(self) -> None:
        # Two batches appending to one file would interleave and duplicate ids; the lock dies with the process.
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError(f"{self.path}: another batch is writing to this file",
                             hint="wait for it to finish or choose another --out") from None

    def _prepare(self, *, resume: bool, overwrite: bool) -> None:
        size = os.fstat(self._fd).st_size
        if size == 0:
            return
        if overwrite:
            os.ftruncate(self._fd, 0)
            self._sync()
            return
        if not resume:
            raise InputError(f"{self.path}: the output file already exists and is not empty",
                             hint="pass --resume to skip the ids it already has, or --overwrite to start over")
        data = self.path.read_bytes()
        keep = self._scan(data)
        if keep < len(data):
            self.repaired_bytes = len(data) - keep
            os.ftruncate(self._fd, keep)
            self._sync()

    def _scan(self, data: bytes) -> int:
        """Collect done ids; return how many leading bytes are complete, valid lines."""
        keep = 0
        lines = data.split(b"\n")
        complete, tail = lines[:-1], lines[-1]  # tail: bytes after the last newline (a torn write)
        for number, line in enumerate(complete, start=1):
            record = _parse_record(line) if line.strip() else None
            if record is None and line.strip():
                if number == len(complete) and not tail:
                    break  # an invalid last line is a torn write too: cut it
                raise InputError(f"{self.path}:{number}: not a valid result line; refusing to resume over it",
                                 line=number, hint="fix or remove the line, or use --overwrite")
            if record is not None:
                self.done_ids.add(str(record["id"]))
            keep += len(line) + 1
        return keep

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as one complete line and make it durable before returning."""
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            self._sync()
            self.done_ids.add(str(record["id"]))

    def _sync(self) -> None:
        if self.fsync:
            os.fsync(self._fd)

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)  # also releases the flock
                self._fd = -1

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot fsync a directory; the file itself is synced
    finally:
        os.close(fd)


def read_file_bytes(path: Path, what: str) -> bytes:
    """The file's bytes, or an InputError naming the file and ``what`` it was meant to be."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None


def read_results(path: str | Path) -> dict[str, dict]:
    """id -> record of a results file; a torn or invalid line is skipped, the first record of an id wins."""
    path = Path(path)
    data = read_file_bytes(path, "results file")
    out: dict[str, dict] = {}
    for line in data.split(b"\n"):
        record = _parse_record(line) if line.strip() else None
        if record is not None:
            out.setdefault(str(record["id"]), record)
    return out
