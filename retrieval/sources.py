"""Reading KB sources: text/markdown files, JSONL records and images with caption sidecars.

A source is one file, named by its resolved path; its content hash is what makes re-adding
the same file a no-op. An image's ``.txt`` sidecar (same stem) is its caption, not a
separate document.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from agent.errors import InputError
from retrieval.chunking import chunk_text
from retrieval.types import Item

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst"}
JSONL_SUFFIXES = {".jsonl"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str  # text | jsonl | image
    digest: str

    @property
    def name(self) -> str:
        return str(self.path)


def file_digest(path: Path, extra: bytes = b"") -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    h.update(extra)
    return h.hexdigest()


def caption_path(image: Path) -> Path | None:
    side = image.with_suffix(".txt")
    return side if side.exists() else None


def kind_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return None


def discover(paths: list[str | Path]) -> list[Source]:
    """Every usable source under ``paths`` (files or folders), sorted, sidecars excluded."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    images = {f.resolve().with_suffix("") for f in files if kind_of(f) == "image"}
    out: list[Source] = []
    for f in files:
        kind = kind_of(f)
        if f.name.startswith(".") or kind is None:
            continue
        resolved = f.resolve()
        if kind == "text" and resolved.with_suffix("") in images:
            continue  # a caption sidecar
        side = caption_path(resolved) if kind == "image" else None
        extra = side.read_bytes() if side else b""  # a new caption makes a new version of the image
        out.append(Source(resolved, kind, file_digest(resolved, extra)))
    return out


def read_text_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def text_items(source: Source, size: int = 120, overlap: int = 30) -> list[Item]:
    if source.kind == "text":
        chunks = chunk_text(read_text_file(source.path), size, overlap)
        return [Item(source.name, "text", c, i, {"kind": "text"}) for i, c in enumerate(chunks)]
    items: list[Item] = []
    for lineno, line in enumerate(read_text_file(source.path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source.path}:{lineno}: invalid JSON ({exc.msg})", line=lineno) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputError(f"{source.path}:{lineno}: each record needs a string 'text' field", line=lineno)
        meta = {k: v for k, v in record.items() if k != "text"}
        meta.update(kind="jsonl", line=lineno)
        for chunk in chunk_text(record["text"], size, overlap):
            items.append(Item(source.name, "text", chunk, len(items), meta))
    return items
