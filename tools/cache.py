"""Content-addressed cache of tool results.

A key is (image digest, tool name, arguments): the same pixels asked the same question give
the same answer, whichever file or crop they came from. Results live in an in-memory LRU and,
if a directory is configured, in pickle files written atomically (temp file + rename) so a
crash never leaves a half-written entry. Only this process writes pickles it later reads:
the directory is a private cache, not an exchange format.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.config import Config

_MISSING = object()


class ToolCache:
    def __init__(self, max_items: int = 512, disk_dir: str | Path | None = None) -> None:
        self.max_items = max_items
        self.disk_dir = Path(disk_dir).expanduser() if disk_dir else None
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @classmethod
    def from_config(cls, config: Config) -> ToolCache:
        return cls(disk_dir=getattr(config, "tool_cache_dir", "") or None)

    @staticmethod
    def key(digest: str, tool: str, args: Any = ()) -> str:
        return hashlib.sha256(f"{digest}|{tool}|{args!r}".encode()).hexdigest()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        value = self._read_disk(key)
        with self._lock:
            if value is _MISSING:
                self.misses += 1
                return default
            self.hits += 1
            self._store(key, value)
        return value

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._store(key, value)
        self._write_disk(key, value)

    def get_or_compute(self, key: str, compute: Callable[[], Any]) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def _store(self, key: str, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def _path(self, key: str) -> Path | None:
        return self.disk_dir / key[:2] / f"{key}.pkl" if self.disk_dir else None

    def _read_disk(self, key: str) -> Any:
        path = self._path(key)
        if path is None or not path.exists():
            return _MISSING
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)  # noqa: S301 - our own private cache directory
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return _MISSING  # an unreadable entry is just a miss

    def _write_disk(self, key: str, value: Any) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass  # the disk cache is an optimisation; failing to write it is not an error
