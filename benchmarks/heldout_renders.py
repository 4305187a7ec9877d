"""The pictures of the held-out set that are drawn rather than photographed (benchmarks/heldout.jsonl).

Each function draws one picture with PIL from fixed coordinates (and a fixed seed where there are
stars), in the DejaVu fonts that matplotlib ships, so every checkout renders the same picture.
The answers in heldout.jsonl were checked by looking at these renders: change a drawing and you
must look again and fix the answers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")  # its DejaVu fonts, found without importing matplotlib
    if spec is None or spec.origin is None:
        raise FileNotFoundError("matplotlib is not installed: its DejaVu fonts draw the held-out pictures")
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / name), size)


def _centred_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font: ImageFont.FreeTypeFont,
                  fill: tuple[int, int, int]) -> None:
    draw.text(xy, text, font=font, fill=fill, anchor="mm")


def shapes() -> Image.Image:
    """Three red circles on the left, two blue squares in the middle, one green triangle on the right."""
    im = Image.new("RGB", (480, 320), (255, 255, 255))
    d = ImageDraw.Draw(im)
    for cx, cy in ((70, 90), (160, 110), (100, 230)):
        d.ellipse((cx - 35, cy - 35, cx + 35, cy + 35), fill=(220, 30, 30))
    for cx, cy in ((280, 95), (280, 225)):
        d.rectangle((cx - 35, cy - 35, cx + 35, cy + 35), fill=(30, 60, 210))
    d.polygon(((410, 110), (460, 210), (360, 210)), fill=(30, 160, 50))
    return im


def stop_sign() -> Image.Image:
    """A red octagonal STOP sign on a grey pole, blue sky above green grass."""
    im = Image.new("RGB", (400, 500), (135, 190, 235))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 420, 400, 500), fill=(70, 150, 60))
    d.rectangle((192, 250, 208, 440), fill=(130, 130, 135))
    cx, cy, r, c = 200, 170, 120, 50  # octagon: half-width r, corner cut c
    pts = ((cx - r + c, cy - r), (cx + r - c, cy - r), (cx + r, cy - r + c), (cx + r, cy + r - c),
           (cx + r - c, cy + r), (cx - r + c, cy + r), (cx - r, cy + r - c), (cx - r, cy - r + c))
    d.polygon(pts, fill=(255, 255, 255))
    inner = tuple((cx + (x - cx) * 0.92, cy + (y - cy) * 0.92) for x, y in pts)
    d.polygon(inner, fill=(200, 16, 30))
    _centred_text(d, (cx, cy), "STOP", _font(64, bold=True), (255, 255, 255))
    return im


def bakery() -> Image.Image:
    """A shop front: a green board reading BAKERY, a door, a window with a card OPEN DAILY 7AM - 6PM."""
    im = Image.new("RGB", (640, 420), (205, 180, 140))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 390, 640, 420), fill=(120, 120, 120))  # pavement
    d.rectangle((110, 30, 530, 110), fill=(20, 90, 50))
    _centred_text(d, (320, 70), "BAKERY", _font(56, bold=True), (255, 255, 255))
    d.rectangle((80, 160, 330, 330), fill=(60, 60, 70))  # window frame
    d.rectangle((90, 170, 320, 320), fill=(170, 210, 230))
    d.rectangle((130, 230, 290, 290), fill=(255, 255, 255))
    _centred_text(d, (210, 250), "OPEN DAILY", _font(20, bold=True), (20, 20, 20))
    _centred_text(d, (210, 274), "7AM - 6PM", _font(20, bold=True), (20, 20, 20))
    d.rectangle((400, 160, 520, 390), fill=(110, 60, 30))  # door
    d.ellipse((495, 270, 507, 282), fill=(230, 200, 60))
    return im


BODY = (
    "Each autumn, swallows leave the northern farms",
    "and fly south across the sea. Most of them",
    "depart in October, when insects become scarce.",
    "They come back in spring to nest under the",
    "same roofs. Count them at dusk near the bridge.",
)


def page() -> Image.Image:
    """A printed page: the large title 'Bird Migration Notes' above five lines of body text."""
    im = Image.new("RGB", (620, 480), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.text((40, 40), "Bird Migration Notes", font=_font(40, bold=True), fill=(0, 0, 0))
    body = _font(20)
    for i, line in enumerate(BODY):
        d.text((40, 130 + 34 * i), line, font=body, fill=(30, 30, 30))
    d.text((40, 420), "Page 3", font=_font(14), fill=(90, 90, 90))
    return im


def price_tag() -> Image.Image:
    """A yellow price tag: SALE in red above $4.99 in black."""
    im = Image.new("RGB", (400, 260), (235, 235, 235))
    d = ImageDraw.Draw(im)
    d.polygon(((60, 30), (340, 30), (380, 130), (340, 230), (60, 230)), fill=(250, 215, 40))
    d.ellipse((335, 120, 355, 140), fill=(235, 235, 235))
    _centred_text(d, (200, 80), "SALE", _font(44, bold=True), (210, 20, 20))
    _centred_text(d, (200, 165), "$4.99", _font(64, bold=True), (0, 0, 0))
    return im


def two_panel() -> Image.Image:
    """Two panels side by side: GO in white on green (left), WAIT in white on red (right)."""
    im = Image.new("RGB", (640, 320), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.rectangle((10, 10, 314, 310), fill=(20, 150, 40))
    d.rectangle((326, 10, 630, 310), fill=(210, 25, 25))
    big = _font(72, bold=True)
    _centred_text(d, (162, 160), "GO", big, (255, 255, 255))
    _centred_text(d, (478, 160), "WAIT", big, (255, 255, 255))
    return im


def night() -> Image.Image:
    """A night street: dark sky with stars and a crescent moon, black buildings with five lit windows."""
    w, h = 640, 400
    im = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(im)
    for y in range(h):  # sky from near-black to deep navy
        t = y / h
        d.line((0, y, w, y), fill=(int(5 + 15 * t), int(8 + 20 * t), int(25 + 45 * t)))
    rng = random.Random(7)
    for _ in range(40):
        x, y = rng.randrange(w), rng.randrange(0, 180)
        d.ellipse((x - 1, y - 1, x + 1, y + 1), fill=(235, 235, 210))
    crescent = Image.new("L", (w, h), 0)  # a disc minus an offset disc, so the sky shows through the bite
    m = ImageDraw.Draw(crescent)
    m.ellipse((500, 40, 560, 100), fill=255)
    m.ellipse((518, 30, 578, 90), fill=0)
    im.paste((245, 240, 200), (0, 0, w, h), crescent)
    d.rectangle((40, 200, 200, 400), fill=(12, 12, 14))
    d.rectangle((240, 150, 380, 400), fill=(16, 16, 18))
    d.rectangle((420, 230, 600, 400), fill=(12, 12, 14))
    for x, y in ((70, 240), (140, 300), (270, 190), (330, 280), (470, 270)):
        d.rectangle((x, y, x + 26, y + 34), fill=(250, 210, 90))
    d.rectangle((0, 385, w, h), fill=(30, 30, 32))
    return im


def day() -> Image.Image:
    """A sunny day: blue sky, a yellow sun, three white clouds, grass, one red house and one tree."""
    im = Image.new("RGB", (640, 400), (110, 180, 245))
    d = ImageDraw.Draw(im)
    d.ellipse((40, 30, 120, 110), fill=(255, 220, 40))
    for cx, cy in ((230, 70), (400, 50), (550, 110)):
        for dx, dy, r in ((-30, 8, 24), (0, 0, 32), (32, 8, 24)):
            d.ellipse((cx + dx - r, cy + dy - r, cx + dx + r, cy + dy + r), fill=(255, 255, 255))
    d.rectangle((0, 280, 640, 400), fill=(80, 170, 60))
    d.rectangle((300, 210, 460, 320), fill=(200, 30, 35))  # house walls
    d.polygon(((285, 210), (475, 210), (380, 150)), fill=(90, 90, 95))
    d.rectangle((365, 260, 395, 320), fill=(100, 60, 30))
    d.rectangle((320, 230, 350, 255), fill=(200, 230, 250))
    d.rectangle((410, 230, 440, 255), fill=(200, 230, 250))
    d.rectangle((130, 230, 146, 320), fill=(110, 70, 35))  # tree
    d.ellipse((95, 160, 180, 250), fill=(30, 120, 40))
    return im


def room() -> Image.Image:
    """Inside a room: back wall, side walls, plank floor, ceiling lamp, a window and a table, a framed picture."""
    w, h = 640, 420
    im = Image.new("RGB", (w, h), (235, 225, 200))
    d = ImageDraw.Draw(im)
    back = (140, 80, 500, 300)
    d.polygon(((0, 0), (w, 0), (back[2], back[1]), (back[0], back[1])), fill=(245, 245, 240))  # ceiling
    d.polygon(((0, 0), (back[0], back[1]), (back[0], back[3]), (0, h)), fill=(200, 190, 165))  # left wall
    d.polygon(((w, 0), (back[2], back[1]), (back[2], back[3]), (w, h)), fill=(200, 190, 165))  # right wall
    d.polygon(((back[0], back[3]), (back[2], back[3]), (w, h), (0, h)), fill=(150, 100, 55))  # floor
    for i in range(1, 8):  # floor planks
        x_far = back[0] + (back[2] - back[0]) * i / 8
        d.line((x_far, back[3], w * i / 8, h), fill=(115, 75, 40), width=2)
    d.rectangle(back, outline=(180, 170, 150), width=2)
    d.rectangle((330, 120, 460, 220), fill=(90, 70, 50))  # window frame
    d.rectangle((338, 128, 452, 212), fill=(150, 205, 245))
    d.line((395, 128, 395, 212), fill=(90, 70, 50), width=5)
    d.rectangle((180, 130, 280, 200), fill=(120, 80, 40))  # framed picture
    d.rectangle((188, 138, 272, 192), fill=(90, 150, 110))
    d.line((320, 0, 320, 60), fill=(60, 60, 60), width=3)  # ceiling lamp
    d.polygon(((290, 60), (350, 60), (335, 40), (305, 40)), fill=(240, 200, 90))
    d.rectangle((250, 300, 430, 320), fill=(120, 70, 35))  # table
    d.rectangle((262, 320, 274, 380), fill=(100, 60, 30))
    d.rectangle((406, 320, 418, 380), fill=(100, 60, 30))
    return im


RENDERS: dict[str, Callable[[], Image.Image]] = {
    "shapes.png": shapes,
    "stop_sign.png": stop_sign,
    "bakery.png": bakery,
    "page_birds.png": page,
    "price_tag.png": price_tag,
    "two_panel.png": two_panel,
    "night_street.png": night,
    "sunny_day.png": day,
    "room.png": room,
}
