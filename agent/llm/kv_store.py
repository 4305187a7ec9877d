"""Prompt-prefix KV states on disk, so a cold process does not re-read a long few-shot prefix.

A file holds one llama.cpp sequence's KV cells for exactly one token prefix (written by
``llama_state_seq_save_file``: the cells and their tokens, no logits buffer). Files are named by a
hash of the model's identity, the llama.cpp build and the prefix tokens; a load also checks the
tokens stored in the file, so a stale or foreign file is never used. Writes are atomic (temporary
file, then rename) and the folder is pruned to ``max_bytes``, oldest use first.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from pathlib import Path

SUFFIX = ".kv"


def model_key(path: str, *extra: object) -> str:
    """What a saved state depends on: the model file (name, size, mtime), the llama.cpp build, settings."""
    import llama_cpp

    st = os.stat(path)
    parts = [Path(path).name, st.st_size, st.st_mtime_ns, llama_cpp.__version__, *extra]
    return "|".join(str(p) for p in parts)


class PrefixStore:
    """KV states of prompt prefixes for one model (``folder`` is shared by processes)."""

    def __init__(self, folder: str | Path, key: str, *, max_bytes: int = 1 << 30) -> None:
        self.folder = Path(folder)
        self.key = key
        self.max_bytes = max_bytes

    def path(self, tokens: list[int]) -> Path:
        digest = hashlib.sha256(self.key.encode("utf-8") + b"\0" + _token_bytes(tokens)).hexdigest()[:32]
        return self.folder / f"{digest}{SUFFIX}"

    def has(self, tokens: list[int]) -> bool:
        return self.path(tokens).is_file()

    def save(self, ctx, seq_id: int, tokens: list[int]) -> bool:
        """Write sequence ``seq_id`` (which must hold exactly ``tokens``); False if llama.cpp refused."""
        import llama_cpp

        target = self.path(tokens)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        arr = (llama_cpp.llama_token * len(tokens))(*tokens)
        try:
            written = llama_cpp.llama_state_seq_save_file(ctx, str(tmp).encode(), seq_id, arr, len(tokens))
            if not written:
                return False
            os.replace(tmp, target)
        except OSError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
        self.prune(keep=target)
        return True

    def load(self, ctx, memory, seq_id: int, tokens: list[int]) -> bool:
        """Fill (empty) sequence ``seq_id`` with the saved state of ``tokens``; False when absent or stale.

        A file that does not hold exactly ``tokens`` is deleted and the sequence left empty.
        """
        import llama_cpp

        source = self.path(tokens)
        if not source.is_file():
            return False
        out = (llama_cpp.llama_token * (len(tokens) + 1))()
        count = ctypes.c_size_t(0)
        read = llama_cpp.llama_state_seq_load_file(ctx, str(source).encode(), seq_id, out, len(out),
                                                   ctypes.byref(count))
        if not read or count.value != len(tokens) or list(out[:count.value]) != list(tokens):
            llama_cpp.llama_memory_seq_rm(memory, seq_id, -1, -1)
            source.unlink(missing_ok=True)
            return False
        try:
            os.utime(source)  # pruning removes the least recently used first
        except OSError:
            pass
        return True

    def prune(self, keep: Path | None = None) -> None:
        try:
            files = sorted(((p.stat().st_mtime, p) for p in self.folder.glob(f"*{SUFFIX}")), reverse=True)
        except OSError:
            return
        total = 0
        for _, p in files:
            try:
                total += p.stat().st_size
            except OSError:
                continue
            if total > self.max_bytes and p != keep:
                p.unlink(missing_ok=True)


def _token_bytes(tokens: list[int]) -> bytes:
    import array

    return array.array("i", tokens).tobytes()
