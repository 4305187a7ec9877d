"""Uploaded files -> validated, content-addressed PNGs in the session's own folder.

Every upload goes through ``agent.images.load_image`` (size/pixel limits, corrupt files,
non-images) before anything else sees it. The decoded RGB image is re-encoded as PNG, so
what the session keeps (and serves back) is a plain picture, never the uploaded bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PIL import Image

from agent.config import ImageLimits
from agent.errors import ImageError
from agent.images import image_digest, load_image


def upload_path(item: Any) -> tuple[Any, str]:
    """A Gradio file value (path str, dict with "path", FileData-like) -> (source, display name)."""
    if isinstance(item, dict):
        src = item.get("path") or item.get("name")
        name = item.get("orig_name") or (Path(str(src)).name if src else "upload")
        if not src:
            raise ImageError("upload: the file value has no path")
        return src, str(name)
    path = getattr(item, "path", None)
    if path:
        return path, str(getattr(item, "orig_name", None) or Path(str(path)).name)
    if isinstance(item, (str, os.PathLike)):
        return item, Path(item).name
    raise ImageError(f"upload: unsupported file value of type {type(item).__name__}")


def save_image(img: Image.Image, folder: Path) -> Path:
    """Store ``img`` under its content hash; identical pictures are stored once."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{image_digest(img)[:32]}.png"
    if not target.exists():
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        img.save(tmp, format="PNG")
        os.replace(tmp, target)  # atomic: a concurrent reader never sees half a file
    return target


def ingest_uploads(files: Iterable[Any], folder: Path, limits: ImageLimits) -> list[Path]:
    """Validate each upload and copy it into ``folder``; raises ImageError naming the file."""
    saved: list[Path] = []
    for item in files or []:
        src, name = upload_path(item)
        img = load_image(src if not isinstance(src, str) else Path(src), limits, name=name)
        path = save_image(img, folder)
        if path not in saved:
            saved.append(path)
    return saved
