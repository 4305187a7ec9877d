"""The drawn pictures of the tuning set (benchmarks/tune.jsonl), materialised into benchmarks/images/tune/.

    .venv/bin/python benchmarks/tune_renders.py [TARGET_DIR]

Each function draws one picture with PIL from fixed coordinates, in matplotlib's DejaVu fonts, so every
checkout renders the same picture. Their content differs from the held-out renders
(benchmarks/heldout_renders.py): none of these is a stop sign, shop front, price tag, two-panel sign,
night street, sunny day, room, bird page or the red-circles/blue-squares/green-triangle diagram. The
answers in tune.jsonl were checked by looking at these renders: change a drawing and look again.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(HERE.parent))

from benchmarks.heldout_renders import _font  # noqa: E402  (the shared DejaVu font lookup)

IMAGES = HERE / "images" / "tune"


def book_cover() -> Image.Image:
    """A navy book cover: the title OCEAN TIDES in large white letters, the author Mara Lind small in yellow below."""
    im = Image.new("RGB", (360, 520), (20, 40, 100))
    d = ImageDraw.Draw(im)
    d.rectangle((20, 20, 340, 500), outline=(230, 200, 60), width=4)
    d.text((180, 170), "OCEAN", font=_font(64, bold=True), fill=(255, 255, 255), anchor="mm")
    d.text((180, 250), "TIDES", font=_font(64, bold=True), fill=(255, 255, 255), anchor="mm")
    d.text((180, 440), "Mara Lind", font=_font(28), fill=(240, 210, 60), anchor="mm")
    return im


def street_sign() -> Image.Image:
    """A green street-name sign reading MAPLE AVENUE in white, on a grey pole, against a pale wall."""
    im = Image.new("RGB", (520, 420), (225, 220, 205))
    d = ImageDraw.Draw(im)
    d.rectangle((250, 150, 268, 420), fill=(120, 120, 125))
    d.rounded_rectangle((40, 70, 480, 170), radius=12, fill=(20, 110, 60), outline=(255, 255, 255), width=5)
    d.text((260, 120), "MAPLE AVENUE", font=_font(46, bold=True), fill=(255, 255, 255), anchor="mm")
    return im


def menu_board() -> Image.Image:
    """A cream menu card: the heading CAFE MENU, then three lines: Soup 4, Salad 6, Tea 2."""
    im = Image.new("RGB", (420, 460), (245, 235, 210))
    d = ImageDraw.Draw(im)
    d.text((210, 70), "CAFE MENU", font=_font(48, bold=True), fill=(90, 40, 20), anchor="mm")
    d.line((60, 115, 360, 115), fill=(90, 40, 20), width=3)
    for i, line in enumerate(("Soup 4", "Salad 6", "Tea 2")):
        d.text((80, 170 + i * 80), line, font=_font(34), fill=(30, 30, 30), anchor="lm")
    return im


def parcel() -> Image.Image:
    """A brown cardboard parcel with a white label reading FRAGILE in red capitals."""
    im = Image.new("RGB", (500, 400), (250, 250, 250))
    d = ImageDraw.Draw(im)
    d.rectangle((60, 60, 440, 360), fill=(180, 130, 80), outline=(120, 80, 40), width=4)
    d.rectangle((230, 60, 270, 360), fill=(200, 160, 110))
    d.rectangle((110, 160, 390, 260), fill=(255, 255, 255), outline=(200, 20, 20), width=4)
    d.text((250, 210), "FRAGILE", font=_font(52, bold=True), fill=(210, 20, 20), anchor="mm")
    return im


def shapes_yellow() -> Image.Image:
    """A diagram: four yellow circles in a row at the top, one purple rectangle bottom left, two orange
    triangles bottom right, on white."""
    im = Image.new("RGB", (520, 360), (255, 255, 255))
    d = ImageDraw.Draw(im)
    for cx in (80, 200, 320, 440):
        d.ellipse((cx - 38, 50, cx + 38, 126), fill=(240, 210, 20))
    d.rectangle((40, 210, 170, 310), fill=(130, 40, 170))
    for x0 in (320, 420):
        d.polygon(((x0, 310), (x0 + 80, 310), (x0 + 40, 220)), fill=(245, 130, 20))
    return im


def shapes_blue() -> Image.Image:
    """A diagram: two blue circles on the left and one red rectangle on the right, on white."""
    im = Image.new("RGB", (480, 320), (255, 255, 255))
    d = ImageDraw.Draw(im)
    for cy in (90, 230):
        d.ellipse((60, cy - 45, 150, cy + 45), fill=(30, 80, 220))
    d.rectangle((300, 110, 420, 210), fill=(215, 25, 25))
    return im


RENDERS: dict[str, Callable[[], Image.Image]] = {
    "t01.png": book_cover,
    "t02.png": street_sign,
    "t03.png": menu_board,
    "t04.png": parcel,
    "t05.png": shapes_yellow,
    "t06.png": shapes_blue,
}


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def ensure_tune_images(target: Path = IMAGES) -> Path:
    """Write the renders into ``target`` (idempotent: a file is rewritten only when its bytes differ)."""
    target.mkdir(parents=True, exist_ok=True)
    for name, draw in RENDERS.items():
        data, path = _png(draw()), target / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return target


if __name__ == "__main__":
    print(ensure_tune_images(Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES))
