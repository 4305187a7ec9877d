"""What an answer depends on, hashed, so ``--resume`` can tell a finished item from a changed one.

An item's ``input_hash`` covers its question, the bytes of each image (by its name or position,
not its path), the KB it reads (path and published version) and the settings that change
answers (the reasoner and the config, less paths, secrets and tuning that only affect speed).
A record answers the current input only if its ``input_hash`` matches; otherwise resume redoes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from agent.batch.items import BatchItem

# Config keys that change how fast or where, never what is answered (and the API key: no secret in records).
SPEED_ONLY = {"home", "ui", "tool_cache_dir", "memory.path", "llm.api_key", "llm.n_threads", "llm.timeout_s",
              "llm.max_retries", "llm.sequences", "llm.n_ubatch", "llm.prefix_cache", "llm.hub_download"}
_CHUNK = 1 << 20


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def reasoner_name(reasoner: Any, factory: Any) -> str:
    """Which reasoner answers: the factory spec as given, or the class of a callable or instance."""
    if reasoner is None and isinstance(factory, str):
        return factory
    kind = type(reasoner) if reasoner is not None else factory  # a class or a function
    return f"{getattr(kind, '__module__', '?')}:{getattr(kind, '__qualname__', repr(kind))}"


def settings_digest(config: Any, reasoner: str) -> str:
    """The answer-changing settings: the reasoner and the config without ``SPEED_ONLY`` keys."""
    data = config.to_dict() if hasattr(config, "to_dict") else {}
    flat = {}
    for section, value in data.items():
        if isinstance(value, dict):
            flat.update({f"{section}.{k}": v for k, v in value.items()})
        else:
            flat[section] = value
    kept = {k: v for k, v in flat.items() if k not in SPEED_ONLY and k.split(".")[0] not in SPEED_ONLY}
    return _digest({"reasoner": reasoner, "config": kept})


class InputHasher:
    """Digests of items' inputs; each image file is read once per run (bounded by ``max_image_bytes``)."""

    def __init__(self, settings: str, default_kb: str | None, max_image_bytes: int) -> None:
        self.settings = settings
        self.default_kb = default_kb
        self.max_image_bytes = max_image_bytes
        self._files: dict[str, str] = {}
        self._kbs: dict[str, str] = {}

    def item(self, item: BatchItem) -> str:
        images = item.images
        if isinstance(images, str):
            shown: Any = [self.file(images)]
        elif isinstance(images, dict):
            shown = {name: self.file(path) for name, path in images.items()}
        else:
            shown = [self.file(path) for path in images]
        kb = item.kb or self.default_kb
        return _digest({"question": item.question, "images": shown, "kb": self.kb(kb) if kb else None,
                        "settings": self.settings})

    def file(self, path: str) -> str:
        if path not in self._files:
            self._files[path] = self._file(path)
        return self._files[path]

    def _file(self, path: str) -> str:
        try:
            info = os.stat(path)
        except OSError as exc:
            return f"unreadable:{exc.errno}"  # the answer is an error record; a fixed file is run again
        if not stat.S_ISREG(info.st_mode):
            return "not-a-file"
        if info.st_size > self.max_image_bytes:  # refused by the image loader anyway: no need to read it
            return f"too-large:{info.st_size}:{info.st_mtime_ns}"
        h = hashlib.sha256()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    h.update(chunk)
        except OSError as exc:
            return f"unreadable:{exc.errno}"
        return "sha256:" + h.hexdigest()

    def kb(self, path: str) -> str:
        """The KB's path and published version (its pointer and manifest times): a rebuilt KB is a new input."""
        if path not in self._kbs:
            root = Path(path)
            pointer = _small_text(root / "CURRENT")
            manifest = _small_text(root / pointer / "manifest.json") if re.fullmatch(r"v\d+", pointer) else ""
            try:
                stamp = json.loads(manifest) if manifest else {}
            except json.JSONDecodeError:
                stamp = {}
            stamp = stamp if isinstance(stamp, dict) else {}
            self._kbs[path] = _digest({"path": str(root), "version": pointer,
                                       "created": stamp.get("created"), "updated": stamp.get("updated")})
        return self._kbs[path]


def _small_text(path: Path, limit: int = 1 << 20) -> str:
    try:
        if not path.is_file():
            return ""
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", errors="replace").strip()
    except OSError:
        return ""
