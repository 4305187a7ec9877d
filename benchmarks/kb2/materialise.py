"""Assemble the second RAG benchmark (benchmarks/kb2/) into a folder: KB sources and question photos.

    .venv/bin/python benchmarks/kb2/materialise.py [TARGET]      # default bench-results/kb2

Writes ``TARGET/sources/`` (the committed Markdown/JSONL documents, plus the KB photos with their
committed captions) and ``TARGET/inputs/`` (the photos the questions ask about). Photos come from
sample images that installed packages ship (scikit-image, scikit-learn, Gradio) and from pictures
drawn here with PIL; none of them is a photo of ``benchmarks/kb/``. Question photos are either the
KB photo itself, a mirrored or cropped copy of it (so image search has to match a photo that is not
byte-identical), another view of the same object, or a picture with no KB twin at all (identified
from detector, colour and OCR words only). File names of the question photos are neutral.
Idempotent: a file is rewritten only when its bytes change.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.heldout_images import _package_dir, _write_if_changed  # noqa: E402
from benchmarks.heldout_renders import _font  # noqa: E402

DEFAULT_TARGET = ROOT / "bench-results" / "kb2"

PACKAGE_PHOTOS: dict[str, tuple[str, str]] = {  # key -> (package, path inside its data folder)
    "lion": ("gradio", "media_assets/images/lion.jpg"),
    "cheetah": ("gradio", "media_assets/images/cheetah.jpg"),
    "cheetah_cub": ("gradio", "test_data/cheetah2.jpg"),
    "cheetah_face": ("gradio", "media_assets/images/cheetah1.jpg"),
    "tower": ("gradio", "media_assets/images/tower.jpg"),
    "motorcycle_left": ("skimage", "motorcycle_left.png"),
    "motorcycle_right": ("skimage", "motorcycle_right.png"),
    "camera": ("skimage", "camera.png"),
    "horse": ("skimage", "horse.png"),
    "pagoda": ("sklearn", "china.jpg"),
    "dahlia": ("sklearn", "flower.jpg"),
}


def _photo(key: str) -> Image.Image:
    package, rel = PACKAGE_PHOTOS[key]
    path = _package_dir(package) / rel
    if not path.is_file():
        raise FileNotFoundError(f"kb2 photo {key}: {path} is missing (package {package})")
    with Image.open(path) as im:
        return im.convert("RGB")


def _centre_crop(im: Image.Image, keep: float) -> Image.Image:
    w, h = im.size
    dx, dy = int(w * (1 - keep) / 2), int(h * (1 - keep) / 2)
    return im.crop((dx, dy, w - dx, h - dy))


def _street(size=(640, 400)) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    im = Image.new("RGB", size, (170, 200, 230))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 300, size[0], size[1]), fill=(90, 90, 95))
    return im, d


def tram() -> Image.Image:
    """A green low-floor tram seen from the side: 'ORIN LOOP' on its destination band, fleet number 208."""
    im, d = _street()
    d.line((0, 60, 640, 60), fill=(40, 40, 40), width=3)
    d.line((300, 60, 320, 110), fill=(40, 40, 40), width=4)
    d.rounded_rectangle((40, 110, 600, 290), 30, fill=(30, 130, 60))
    for x in range(70, 580, 85):
        d.rectangle((x, 130, x + 60, 185), fill=(220, 235, 245))
    for x in (205, 375):  # white doors
        d.rectangle((x, 130, x + 40, 285), fill=(245, 245, 245))
    for x in (120, 500):
        d.ellipse((x - 28, 262, x + 28, 318), fill=(30, 30, 30))
    d.rectangle((250, 195, 470, 230), fill=(20, 20, 20))
    d.text((360, 213), "ORIN LOOP", font=_font(26, bold=True), fill=(255, 200, 40), anchor="mm")
    d.text((550, 240), "208", font=_font(30, bold=True), fill=(255, 255, 255), anchor="mm")
    return im


def bus() -> Image.Image:
    """A red single-deck bus with 'CASTLE HILL' on its destination sign."""
    im, d = _street()
    d.rounded_rectangle((40, 100, 600, 290), 18, fill=(200, 40, 40))
    for x in range(150, 580, 80):
        d.rectangle((x, 120, x + 60, 180), fill=(200, 225, 240))
    d.rectangle((50, 120, 130, 270), fill=(200, 225, 240))
    for x in (140, 500):
        d.ellipse((x - 35, 255, x + 35, 325), fill=(25, 25, 25))
    d.rectangle((170, 195, 470, 235), fill=(20, 20, 20))
    d.text((320, 215), "CASTLE HILL", font=_font(28, bold=True), fill=(255, 160, 30), anchor="mm")
    return im


def ferry() -> Image.Image:
    """A yellow passenger ferry on the lake with the name MARGIT on its hull."""
    im = Image.new("RGB", (640, 400), (170, 200, 230))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 270, 640, 400), fill=(40, 90, 150))
    d.polygon(((60, 200), (600, 200), (540, 300), (110, 300)), fill=(230, 190, 30))
    d.rectangle((220, 130, 420, 200), fill=(240, 240, 240))
    for x in range(235, 410, 45):
        d.rectangle((x, 145, x + 30, 170), fill=(60, 80, 110))
    d.line((320, 130, 320, 80), fill=(60, 60, 60), width=4)
    d.text((330, 240), "MARGIT", font=_font(34, bold=True), fill=(30, 30, 30), anchor="mm")
    return im


# KB photos: name in sources/images -> producer (each has a caption in benchmarks/kb2/captions/NAME.txt)
KB_PHOTOS: dict[str, Callable[[], Image.Image]] = {
    "bruno.jpg": lambda: _photo("lion"),
    "zuri.jpg": lambda: _photo("cheetah"),
    "kito.jpg": lambda: _photo("cheetah_cub"),
    "wild_cheetah.jpg": lambda: _photo("cheetah_face"),
    "ferro_motorcycle.png": lambda: _photo("motorcycle_left"),
    "signal_tower.jpg": lambda: _photo("tower"),
    "jade_pavilion.jpg": lambda: _photo("pagoda"),
    "tomas_berg.png": lambda: _photo("camera"),
    "onyx.png": lambda: _photo("horse"),
}

# Question photos: name in inputs/ -> (producer, how it relates to the KB)
INPUTS: dict[str, tuple[Callable[[], Image.Image], str]] = {
    "i01.png": (tram, "drawn; no KB photo"),
    "i02.png": (bus, "drawn; no KB photo"),
    "i03.png": (ferry, "drawn; no KB photo"),
    "i04.png": (lambda: _photo("motorcycle_right"), "other view of the KB photo ferro_motorcycle.png"),
    "i05.jpg": (lambda: _centre_crop(ImageOps.mirror(_photo("lion")), 0.85), "mirrored crop of bruno.jpg"),
    "i06.jpg": (lambda: ImageOps.mirror(_photo("cheetah")), "mirrored zuri.jpg"),
    "i07.jpg": (lambda: _photo("cheetah_cub"), "same photo as kito.jpg"),
    "i08.png": (lambda: ImageOps.mirror(_photo("horse")), "mirrored onyx.png"),
    "i09.jpg": (lambda: _centre_crop(_photo("tower"), 0.8), "crop of signal_tower.jpg"),
    "i10.jpg": (lambda: _photo("pagoda"), "same photo as jade_pavilion.jpg"),
    "i11.png": (lambda: _centre_crop(_photo("camera"), 0.85), "crop of tomas_berg.png"),
    "i12.jpg": (lambda: _photo("dahlia"), "no KB photo"),
}


def _bytes(im: Image.Image, name: str) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="JPEG" if name.endswith(".jpg") else "PNG", **({"quality": 92} if name.endswith(".jpg") else {}))
    return buf.getvalue()


def materialise(target: str | Path = DEFAULT_TARGET) -> Path:
    """Write the KB sources and the question photos under ``target``; returns ``target``."""
    target = Path(target)
    docs, images, inputs = target / "sources" / "docs", target / "sources" / "images", target / "inputs"
    for folder in (docs, images, inputs):
        folder.mkdir(parents=True, exist_ok=True)
    wanted = {p.name for p in (HERE / "docs").iterdir() if p.is_file()}
    for stale in docs.iterdir():  # a document removed from the set leaves the KB too
        if stale.name not in wanted:
            stale.unlink()
    for src in sorted((HERE / "docs").iterdir()):
        if src.is_file():
            _write_if_changed(docs / src.name, src.read_bytes())
    for name, produce in KB_PHOTOS.items():
        caption = HERE / "captions" / f"{Path(name).stem}.txt"
        _write_if_changed(images / name, _bytes(produce(), name))
        _write_if_changed(images / caption.name, caption.read_bytes())
    for name, (produce, _) in INPUTS.items():
        _write_if_changed(inputs / name, _bytes(produce(), name))
    return target


if __name__ == "__main__":
    print(materialise(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_TARGET))
