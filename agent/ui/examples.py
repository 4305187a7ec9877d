"""The example gallery: bundled sample photos copied into one small served folder.

The photos ship inside installed packages (ultralytics assets, scikit-image data). They
are located without importing those packages (ultralytics pulls in torch) and copied
into ``dest`` so that the app serves only that folder, never site-packages.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

# (package, path inside the package, file name in the gallery, suggested question)
SOURCES: tuple[tuple[str, str, str, str], ...] = (
    ("ultralytics", "assets/bus.jpg", "bus.jpg", "How many people are in the image?"),
    ("ultralytics", "assets/zidane.jpg", "zidane.jpg", "Is anyone wearing a tie?"),
    ("skimage", "data/chelsea.png", "chelsea.png", "What animal is this and what colour is it?"),
    ("skimage", "data/astronaut.png", "astronaut.png", "What is the person holding?"),
    ("skimage", "data/coffee.png", "coffee.png", "What is in the cup?"),
)


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def example_images(dest: Path) -> list[tuple[Path, str]]:
    """Copy the available sample photos into ``dest``; returns (path, question) pairs."""
    dest.mkdir(parents=True, exist_ok=True)
    out: list[tuple[Path, str]] = []
    for package, rel, name, question in SOURCES:
        base = _package_dir(package)
        src = base / rel if base else None
        target = dest / name
        if not target.exists():
            if src is None or not src.is_file():
                continue  # optional package missing: the gallery is simply shorter
            shutil.copyfile(src, target)
        out.append((target, question))
    return out
