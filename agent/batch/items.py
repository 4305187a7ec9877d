"""Parsing a batch input file: each JSONL line becomes a work item or an error record, never an abort.

A line is ``{"id", "image" | "images", "question", "answer"?, "kb"?}``. Image and KB paths
are relative to the input file's folder; any readable path is allowed unless ``image_root``
is given, which confines every image (after following ``..`` and symlinks) to that folder.
Lines that cannot be used (bad JSON, missing or mistyped fields, a duplicate id, a line over
the size cap, an image outside ``image_root``) become error records so every line is
accounted for in the output; an id that cannot be recovered becomes ``line-<N>``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.batch.io import MAX_INPUT_BYTES, MAX_LINE_BYTES, human_size, read_lines
from agent.errors import InputError


@dataclass
class BatchItem:
    id: str
    question: str
    images: str | list[str] | dict[str, str]  # resolved paths, same shape as the input line
    line: int  # 1-based line number in the input file
    answer: Any = None  # gold answer(s), kept for scoring only
    kb: str | None = None  # per-line KB (resolved), overrides --kb
    extra: dict = field(default_factory=dict)  # other gold fields such as "type"
    input_hash: str = ""  # digest of everything the answer depends on (set by the job, see fingerprint.py)

    def image_key(self) -> tuple[str, ...]:
        """Items with the same key ask about the same pictures: run them together to reuse cached tool results."""
        if isinstance(self.images, str):
            return (self.images,)
        if isinstance(self.images, dict):
            return tuple(f"{k}={v}" for k, v in sorted(self.images.items()))
        return tuple(self.images)

    def to_task(self) -> dict:
        """A plain picklable dict for worker processes (Ray actors)."""
        return {"id": self.id, "question": self.question, "images": self.images, "kb": self.kb, "line": self.line,
                "input_hash": self.input_hash}


@dataclass
class InputProblem:
    """A line that cannot run; it becomes an error record with this id."""

    id: str
    line: int
    error: InputError
    input_hash: str = ""  # digest of the line's bytes: a fixed line is run again on resume


def _resolve(base: Path, value: str) -> str:
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


def _image_path(base: Path, value: str, root: Path | None, where: str) -> str:
    """The image's path; with ``root``, its real path, refused unless it lies inside ``root``."""
    full = _resolve(base, value)
    if root is None:
        return full
    real = Path(os.path.realpath(full))
    if not real.is_relative_to(root):
        raise InputError(f"{where}: image {value!r} is outside --image-root {root}",
                         hint="image paths must stay inside --image-root (no '..' or absolute paths out of it, "
                              "no symlinks leading out)")
    return str(real)


def _check_images(raw: Any, base: Path, where: str, root: Path | None = None) -> str | list[str] | dict[str, str]:
    if isinstance(raw, str) and raw.strip():
        return _image_path(base, raw, root, where)
    if isinstance(raw, list) and raw and all(isinstance(v, str) and v.strip() for v in raw):
        return [_image_path(base, v, root, where) for v in raw]
    if isinstance(raw, dict) and raw and all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                             for k, v in raw.items()):
        return {k: _image_path(base, v, root, where) for k, v in raw.items()}
    raise InputError(f"{where}: 'image' must be a path string, 'images' a non-empty list of paths "
                     f"or a {{name: path}} object; got {raw!r:.80}")


def _parse_line(text: str, where: str, base: Path, root: Path | None) -> tuple[str | None, BatchItem | InputError]:
    """Return (recovered id or None, item or the error)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, InputError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})",
                                hint="each line must be one JSON object")
    if not isinstance(obj, dict):
        return None, InputError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    raw_id = obj.get("id")
    item_id = str(raw_id) if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) and str(raw_id) else None
    if item_id is None:
        return None, InputError(f"{where}: missing or invalid 'id' (a non-empty string or integer)")
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        return item_id, InputError(f"{where}: missing or empty 'question'")
    if "image" in obj and "images" in obj:
        return item_id, InputError(f"{where}: give either 'image' or 'images', not both")
    if "image" not in obj and "images" not in obj:
        return item_id, InputError(f"{where}: missing 'image' (or 'images')")
    try:
        images = _check_images(obj.get("image", obj.get("images")), base, where, root)
    except InputError as exc:
        return item_id, exc
    kb = obj.get("kb")
    if kb is not None and (not isinstance(kb, str) or not kb.strip()):
        return item_id, InputError(f"{where}: 'kb' must be a path string")
    extra = {k: v for k, v in obj.items() if k not in {"id", "question", "image", "images", "answer", "kb"}}
    return item_id, BatchItem(id=item_id, question=question, images=images, line=0,
                              answer=obj.get("answer"), kb=_resolve(base, kb) if kb else None, extra=extra)


def image_root_path(image_root: str | Path | None) -> Path | None:
    """The real path of ``--image-root``; ``InputError`` unless it is an existing folder."""
    if image_root is None or str(image_root) == "":
        return None
    root = Path(os.path.realpath(Path(image_root).expanduser()))
    if not root.is_dir():
        raise InputError(f"{image_root}: --image-root must be an existing folder")
    return root


def _line_hash(chunk: bytes | None, number: int, root: Path | None) -> str:
    body = chunk if chunk is not None else f"over the size cap at line {number}".encode()
    return "sha256:" + hashlib.sha256(body + b"\0" + str(root or "").encode()).hexdigest()


def read_items(path: str | Path, *, image_root: str | Path | None = None, max_line_bytes: int = MAX_LINE_BYTES,
               max_total_bytes: int = MAX_INPUT_BYTES) -> tuple[list[BatchItem], list[InputProblem]]:
    """Parse every line of ``path``: the runnable items and the problems, each with a unique id.

    Raises ``InputError`` only when the file itself cannot be read or is over ``max_total_bytes``.
    """
    path = Path(path)
    base = path.resolve().parent
    root = image_root_path(image_root)
    parsed: list[tuple[int, str | None, BatchItem | InputError, str]] = []
    for number, chunk in read_lines(path, "input file", max_line_bytes=max_line_bytes,
                                    max_total_bytes=max_total_bytes):
        where = f"{path}:{number}"
        digest = _line_hash(chunk, number, root)
        if chunk is None:
            parsed.append((number, None, InputError(f"{where}: the line is longer than {human_size(max_line_bytes)}; "
                                                    "it is not read", line=number), digest))
            continue
        try:
            text = chunk.decode("utf-8").strip()
        except UnicodeDecodeError:
            parsed.append((number, None, InputError(f"{where}: the line is not valid UTF-8", line=number), digest))
            continue
        if not text:
            continue  # blank lines (and the final newline) are not items
        item_id, result = _parse_line(text, where, base, root)
        result.line = number
        parsed.append((number, item_id, result, digest))
    return _assign_ids(parsed)


def _assign_ids(parsed: list[tuple[int, str | None, BatchItem | InputError, str]],
                ) -> tuple[list[BatchItem], list[InputProblem]]:
    # The first line with a given id owns it; later duplicates and lines without an id get
    # line-<N>, made unique against every real id so output keys never collide.
    taken = {item_id for _, item_id, _, _ in parsed if item_id is not None}
    owner: dict[str, int] = {}
    items: list[BatchItem] = []
    problems: list[InputProblem] = []

    def fallback(number: int) -> str:
        candidate = f"line-{number}"
        while candidate in taken:
            candidate += "_"
        taken.add(candidate)
        return candidate

    for number, item_id, result, digest in parsed:
        if item_id is not None and item_id in owner:
            err = InputError(f"duplicate id {item_id!r} (first used on line {owner[item_id]}); this line is not run",
                             line=number, hint="ids must be unique within a batch file")
            problems.append(InputProblem(fallback(number), number, err, digest))
            continue
        if item_id is None:
            assert isinstance(result, InputError)
            problems.append(InputProblem(fallback(number), number, result, digest))
            continue
        owner[item_id] = number
        if isinstance(result, InputError):
            problems.append(InputProblem(item_id, number, result, digest))
        else:
            items.append(result)
    return items, problems


def read_gold(path: str | Path) -> list[dict]:
    """The gold lines of an input file (raw dicts with an id); malformed or oversized lines are skipped."""
    gold = []
    seen: set[str] = set()
    for _, chunk in read_lines(path, "gold file"):
        try:
            obj = json.loads(chunk) if chunk else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(obj, dict) and "id" in obj and str(obj["id"]) not in seen:
            obj["id"] = str(obj["id"])
            seen.add(obj["id"])  # like the batch, the first line with an id owns it
            gold.append(obj)
    return gold
