"""Atomic, verified, lock-protected joining of split files, plus a cached sha256 check.

Why so careful: a GGUF is ~1 GB, assembly takes seconds, and two processes (CLI + web app, or
parallel tests) may start at once. The final file only ever appears via ``os.replace`` of a
fully written, size- and hash-checked, fsynced temp file in the same directory, under an
exclusive ``fcntl`` lock; a crash leaves at most a ``*.part`` temp that the next run deletes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

CHUNK_SIZE = 8 << 20  # 8 MiB: large enough for throughput, small enough for steady memory

# flock() already excludes separate open() calls in one process; the thread lock just avoids
# busy file-descriptor churn when many threads in one process ask at once.
_THREAD_LOCK = threading.Lock()


class AssemblyError(Exception):
    """Assembly produced the wrong bytes (size or hash) or a part could not be read."""


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def sha256_file(path: Path, chunk_size: int = CHUNK_SIZE) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def cached_sha256(path: Path, sidecar: Path | None = None, *, force: bool = False) -> str:
    """sha256 of ``path``, remembered in a sidecar keyed by size + mtime so restarts don't re-hash 1 GB."""
    sidecar = sidecar or sidecar_path(path)
    st = path.stat()
    if not force:
        try:
            record = json.loads(sidecar.read_text())
            if record.get("size") == st.st_size and record.get("mtime_ns") == st.st_mtime_ns:
                return str(record["sha256"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # missing or corrupt sidecar: just re-hash
    digest = sha256_file(path)
    write_sidecar(path, digest, sidecar)
    return digest


def write_sidecar(path: Path, digest: str, sidecar: Path | None = None) -> None:
    sidecar = sidecar or sidecar_path(path)
    st = path.stat()
    payload = json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest})
    try:
        sidecar.parent.mkdir(parents=True, exist_ok=True)
        tmp = sidecar.with_name(f"{sidecar.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(payload)
        os.replace(tmp, sidecar)
    except OSError:
        pass  # read-only location: verification still worked, it just won't be cached


@contextlib.contextmanager
def file_lock(target: Path) -> Iterator[None]:
    """Exclusive inter-process lock on ``<target>.lock`` (also safe between threads)."""
    lock_path = target.with_name(target.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCK:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def is_complete(path: Path, size: int | None, sha256: str | None) -> bool:
    """True when ``path`` exists with the expected size and (cached) hash."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    if size is not None and st.st_size != size:
        return False
    if sha256 is None:
        # Unknown hash: trust only files this module assembled (they always get a sidecar).
        return sidecar_path(path).exists()
    return cached_sha256(path) == sha256


def _remove_stale_temps(dest: Path) -> None:
    # Called under the lock, so no other writer can own these.
    for stale in dest.parent.glob(f".{dest.name}.*.part"):
        with contextlib.suppress(OSError):
            stale.unlink()


def assemble(parts: Sequence[Path], dest: Path, *, size: int | None = None, sha256: str | None = None,
             chunk_size: int = CHUNK_SIZE, on_chunk: Callable[[int], None] | None = None) -> str:
    """Concatenate ``parts`` into ``dest`` atomically; return the sha256 of the result.

    ``on_chunk(bytes_written)`` is called after every chunk (progress reporting; tests use it to
    simulate a crash mid-write). Raises :class:`AssemblyError` on a size or hash mismatch.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(dest):
        if is_complete(dest, size, sha256):  # someone else finished while we waited
            return cached_sha256(dest)
        _remove_stale_temps(dest)
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            written = 0
            with os.fdopen(fd, "wb") as out:
                for part in parts:
                    try:
                        src = open(part, "rb")
                    except OSError as exc:
                        raise AssemblyError(f"cannot read part {part}: {exc}") from exc
                    with src:
                        while block := src.read(chunk_size):
                            out.write(block)
                            digest.update(block)
                            written += len(block)
                            if on_chunk is not None:
                                on_chunk(written)
                out.flush()
                os.fsync(out.fileno())
            if size is not None and written != size:
                raise AssemblyError(f"assembled {written:,} bytes, expected {size:,} for {dest.name}")
            hexdigest = digest.hexdigest()
            if sha256 is not None and hexdigest != sha256:
                raise AssemblyError(f"sha256 of assembled {dest.name} is {hexdigest}, expected {sha256}")
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; the cache is meant to be shared
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _fsync_dir(dest.parent)
        write_sidecar(dest, hexdigest)
        return hexdigest


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
