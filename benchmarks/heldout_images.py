"""Materialise the held-out set's pictures into benchmarks/images/heldout/ (not committed).

    .venv/bin/python benchmarks/heldout_images.py [TARGET_DIR]

The held-out set (benchmarks/heldout.jsonl) asks about pictures the dev set never uses: sample photos
that installed packages ship (scikit-image, scikit-learn, matplotlib, Gradio) and pictures drawn here
with PIL (benchmarks/heldout_renders.py). File names are neutral (``p03.jpg``, ``r05.png``) so that a
name never gives an answer away. Photos are copied byte for byte; the few with an alpha channel are
flattened onto white, as a viewer shows them. Idempotent and fast: a file is only written when it is
missing or its bytes differ from what this script produces (writes go through a temporary file).
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(HERE.parent))

from benchmarks.heldout_renders import RENDERS  # noqa: E402

IMAGES = HERE / "images" / "heldout"

# name in heldout.jsonl -> (package, path inside the package's data folder, flatten alpha onto white)
PHOTOS: dict[str, tuple[str, str, bool]] = {
    "p01.png": ("skimage", "camera.png", False),  # the cameraman: man, tripod, camcorder; greyscale
    "p02.png": ("skimage", "coins.png", False),  # 24 Greek coins in four rows; greyscale
    "p03.jpg": ("sklearn", "china.jpg", False),  # pagoda at the Summer Palace, lake, trees
    "p04.jpg": ("sklearn", "flower.jpg", False),  # an orange dahlia, a second one at the bottom
    "p05.jpg": ("gradio", "media_assets/images/cheetah.jpg", False),  # a cheetah running to the right
    "p06.jpg": ("gradio", "media_assets/images/cheetah1.jpg", False),  # a cheetah's face
    "p07.jpg": ("gradio", "test_data/cheetah2.jpg", False),  # a cheetah cub
    "p08.jpg": ("gradio", "media_assets/images/lion.jpg", False),  # a lion on a rock, a lioness behind
    "p09.jpg": ("gradio", "media_assets/images/tower.jpg", False),  # the Eiffel Tower lit at dusk
    "p10.jpg": ("skimage", "hubble_deep_field.jpg", False),  # galaxies on black
    "p11.png": ("matplotlib", "logo2.png", True),  # the matplotlib logo: blue letters
    "p12.png": ("gradio", "media_assets/images/hf-logo_transpng.png", True),  # yellow smiley with two hands
    "p13.png": ("gradio", "media_assets/images/bus.png", True),  # a small red bus icon (a GIF inside)
}

# name in heldout.jsonl -> drawing function (benchmarks/heldout_renders.py)
RENDERED: dict[str, str] = {
    "r01.png": "shapes.png",
    "r02.png": "stop_sign.png",
    "r03.png": "bakery.png",
    "r04.png": "page_birds.png",
    "r05.png": "price_tag.png",
    "r06.png": "two_panel.png",
    "r07.png": "night_street.png",
    "r08.png": "sunny_day.png",
    "r09.png": "room.png",
}


_DATA_DIRS = {  # package -> its sample-data folder, relative to the package
    "skimage": "data",
    "sklearn": "datasets/images",
    "matplotlib": "mpl-data/sample_data",
    "gradio": "",
}


def _package_dir(package: str) -> Path:
    """The package's folder, found without importing it (fast: skimage, sklearn and gradio import slowly)."""
    import importlib.util

    if package not in _DATA_DIRS:
        raise ValueError(f"unknown image package {package!r}")
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"the {package} package is not installed (its sample photos are part of the set)")
    return Path(spec.origin).parent / _DATA_DIRS[package]


def photo_source(name: str) -> Path:
    """The installed file that held-out photo ``name`` comes from."""
    package, rel, _ = PHOTOS[name]
    path = _package_dir(package) / rel
    if not path.is_file():
        raise FileNotFoundError(f"held-out photo {name}: {path} is missing (package {package})")
    return path


def _png_bytes(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def _flattened(path: Path) -> bytes:
    with Image.open(path) as im:
        rgba = im.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return _png_bytes(Image.alpha_composite(white, rgba).convert("RGB"))


def producers() -> dict[str, Callable[[], bytes]]:
    """Every held-out picture name with a function that returns its bytes."""
    out: dict[str, Callable[[], bytes]] = {}
    for name, (_, _, flatten) in PHOTOS.items():
        if flatten:
            out[name] = lambda name=name: _flattened(photo_source(name))
        else:
            out[name] = lambda name=name: photo_source(name).read_bytes()
    for name, render in RENDERED.items():
        out[name] = lambda render=render: _png_bytes(RENDERS[render]())
    return out


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def ensure_heldout_images(target: Path = IMAGES) -> Path:
    """Write every held-out picture into ``target`` (default benchmarks/images/heldout/); returns ``target``."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    for name, produce in producers().items():
        _write_if_changed(target / name, produce())
    return target


if __name__ == "__main__":
    print(ensure_heldout_images(Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES))
