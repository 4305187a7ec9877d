"""Durable JSONL results: one full line per finished item, appended, flushed and fsynced at once.

Why this shape: a batch may be killed at any moment (SIGKILL, OOM, power). Every result is
one ``os.write`` of a complete line to an ``O_APPEND`` descriptor followed by ``fsync``, so
the file is always a run of complete lines plus, at worst, one torn line at the end (a kill
in the middle of a write). Opening with ``resume`` cuts that torn tail away and reports the
records already done, so a resumed run ends with every id exactly once.

Finished work is never dropped: a record whose input has changed since it was written is
moved (``supersede``) to ``<out>.superseded.jsonl`` before the file is atomically replaced
without it. A file whose lines are not results (an input file given as ``--out``) is refused.
Input files are read line by line with a size cap per line and in total (``read_lines``).
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.errors import InputError

MAX_LINE_BYTES = 1 << 20  # an input line longer than this becomes an error record, unread into memory
MAX_INPUT_BYTES = 512 << 20  # an input file longer than this is refused (``batch /dev/zero``)
RESULT_KEYS = ("id", "answer", "error")  # every record a batch writes has these; an input line does not


def _parse_record(line: bytes) -> dict | None:
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return obj if isinstance(obj, dict) and "id" in obj else None


def is_result(record: dict) -> bool:
    return all(key in record for key in RESULT_KEYS)


@dataclass(frozen=True)
class Done:
    """A finished record found on resume: where it is and which input it answered (None: not recorded)."""

    line: int
    input_hash: str | None


class ResultWriter:
    """Append-only, crash-safe writer of result records; thread-safe.

    ``resume``: keep existing complete lines (``done``), drop a torn last line.
    ``overwrite``: start from an empty file. Neither, and the file has content: ``InputError``.
    """

    def __init__(self, path: str | Path, *, resume: bool = False, overwrite: bool = False, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self.done: dict[str, Done] = {}
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
            if not stat.S_ISREG(os.fstat(self._fd).st_mode):
                raise InputError(f"{self.path}: not a regular file; results need a file they can be appended to "
                                 "and resumed from", hint="choose a .jsonl file for --out")
            self._lock_file(self._fd)
            self._prepare(resume=resume, overwrite=overwrite)
            if created and fsync:
                _fsync_dir(self.path.parent)
        except BaseException:
            os.close(self._fd)
            raise

    @property
    def done_ids(self) -> set[str]:
        return set(self.done)

    def _lock_file(self, fd: int) -> None:
        # Two batches appending to one file would interleave and duplicate ids; the lock dies with the process.
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
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
        keep = self._scan(data)  # raises, before anything is cut, if the file is not a results file
        if keep < len(data):
            self.repaired_bytes = len(data) - keep
            os.ftruncate(self._fd, keep)
            self._sync()

    def _scan(self, data: bytes) -> int:
        """Collect done records; return how many leading bytes are complete, valid lines."""
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
                if not is_result(record):
                    self._not_results(number)
                digest = record.get("input_hash")
                self.done.setdefault(str(record["id"]), Done(number, digest if isinstance(digest, str) else None))
            keep += len(line) + 1
        if tail.strip():
            torn = _parse_record(tail)
            if torn is not None and not is_result(torn):
                self._not_results(len(complete) + 1)  # a whole input-like line, not a torn result
        return keep

    def _not_results(self, number: int) -> None:
        raise InputError(f"{self.path}:{number}: not a batch result (no {' / '.join(RESULT_KEYS)} fields); "
                         "refusing to resume over it", line=number,
                         hint="is --out an input file? Choose another --out")

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as one complete line and make it durable before returning."""
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            self._sync()
            self.done[str(record["id"])] = Done(0, record.get("input_hash"))

    @property
    def superseded_path(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.superseded{self.path.suffix or '.jsonl'}")

    def supersede(self, ids: set[str]) -> int:
        """Move every record of ``ids`` to ``superseded_path``; returns how many lines moved.

        Order of durability: the moved lines are appended (and synced) there first, then a copy
        of the file without them, locked before it has a name, replaces the file atomically. A
        crash at any point leaves every record in at least one of the two files.
        """
        ids = {str(i) for i in ids}
        with self._lock:
            real = Path(os.path.realpath(self.path))
            keep, moved = [], []
            with open(real, "rb") as fh:
                for line in fh:
                    record = _parse_record(line)
                    (moved if record is not None and str(record["id"]) in ids else keep).append(line)
            if not moved:
                return 0
            side = os.open(self.superseded_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                _write_all(side, b"".join(moved))
                os.fsync(side)
            finally:
                os.close(side)
            tmp = real.with_name(f".{real.name}.{uuid.uuid4().hex}.tmp")
            fd = os.open(tmp, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL,
                         stat.S_IMODE(os.fstat(self._fd).st_mode))
            try:
                self._lock_file(fd)
                _write_all(fd, b"".join(keep))
                os.fsync(fd)
                os.replace(tmp, real)
            except BaseException:
                os.close(fd)
                tmp.unlink(missing_ok=True)
                raise
            _fsync_dir(real.parent)
            os.close(self._fd)
            self._fd = fd
            for i in ids:
                self.done.pop(i, None)
            return len(moved)

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


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


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


def human_size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{n} bytes"


def read_lines(path: str | Path, what: str, *, max_line_bytes: int = MAX_LINE_BYTES,
               max_total_bytes: int | None = MAX_INPUT_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes without the newline)`` per line, ``None`` for a line over ``max_line_bytes``
    (skipped without holding it). ``InputError`` naming the file if it cannot be read or exceeds
    ``max_total_bytes`` (so ``/dev/zero`` is an error, not a MemoryError)."""
    path = Path(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the with below; open errors need their own message
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    total = 0

    def count(chunk: bytes, number: int) -> None:
        nonlocal total
        total += len(chunk)
        if max_total_bytes is not None and total > max_total_bytes:
            raise InputError(f"{path}: the {what} is larger than {human_size(max_total_bytes)}", line=number,
                             hint="split it into smaller files")

    with fh:
        number = 0
        while True:
            try:
                chunk = fh.readline(max_line_bytes + 1)
            except OSError as exc:
                raise InputError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
            if not chunk:
                return
            number += 1
            count(chunk, number)
            if chunk.endswith(b"\n"):
                yield number, chunk[:-1]
            elif len(chunk) <= max_line_bytes:
                yield number, chunk  # the last line, without a newline
            else:
                while not chunk.endswith(b"\n"):  # skip the rest of the long line
                    chunk = fh.readline(1 << 20)
                    if not chunk:
                        break
                    count(chunk, number)
                yield number, None


def read_results(path: str | Path) -> dict[str, dict]:
    """id -> record of a results file; a torn or invalid line is skipped, the first record of an id wins."""
    path = Path(path)
    try:
        regular = stat.S_ISREG(path.stat().st_mode)
    except OSError:
        regular = True  # read_lines names the problem
    if not regular:
        raise InputError(f"{path}: not a regular file, expected a results .jsonl file")
    out: dict[str, dict] = {}
    for _, line in read_lines(path, "results file", max_line_bytes=256 << 20, max_total_bytes=None):
        record = _parse_record(line) if line and line.strip() else None
        if record is not None:
            out.setdefault(str(record["id"]), record)
    return out
