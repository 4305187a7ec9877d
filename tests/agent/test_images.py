"""agent.images: every bad input is refused with an ImageError naming the file and the reason."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from agent.config import ImageLimits
from agent.errors import ImageError
from agent.images import image_digest, load_image


def _png(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ImageError, match=r"nope\.jpg: no such file"):
        load_image(tmp_path / "nope.jpg")


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.png"
    p.write_bytes(b"")
    with pytest.raises(ImageError, match=r"empty\.png: the file is empty"):
        load_image(p)


def test_text_file_is_not_an_image(tmp_path):
    p = tmp_path / "notes.jpg"
    p.write_text("hello, I am not a picture")
    with pytest.raises(ImageError, match=r"notes\.jpg: not an image file"):
        load_image(p)


def test_truncated_and_corrupt(tmp_path):
    data = _png(Image.new("RGB", (64, 64), "red"), "JPEG")
    p = tmp_path / "cut.jpg"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=r"cut\.jpg: the image is truncated or corrupt"):
        load_image(p)
    png = bytearray(_png(Image.fromarray(np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8))))
    png[60:80] = b"\x00" * 20  # damage the compressed pixel data (CRC mismatch)
    with pytest.raises(ImageError, match="corrupt"):
        load_image(bytes(png), name="bad.png")


def test_decompression_bomb_refused_from_header(tmp_path):
    bomb = _png(Image.new("1", (12000, 12000)))  # tiny file, 144 M pixels
    assert len(bomb) < 1_000_000
    with pytest.raises(ImageError, match="decompression bomb"):
        load_image(bomb, ImageLimits(max_pixels=50_000_000), name="bomb.png")
    with pytest.raises(ImageError, match="above the limit"):
        load_image(Image.new("RGB", (100, 100)), ImageLimits(max_pixels=1000))


def test_max_bytes(tmp_path):
    p = tmp_path / "big.png"
    p.write_bytes(_png(Image.new("RGB", (64, 64), "red")))
    with pytest.raises(ImageError, match=r"big\.png: .* bytes is above the limit"):
        load_image(p, ImageLimits(max_bytes=10))


def test_16bit_png_is_scaled():
    arr = np.full((8, 8), 65535 // 2, dtype=np.uint16)
    img = load_image(_png(Image.fromarray(arr)))
    assert img.mode == "RGB" and 120 <= img.getpixel((0, 0))[0] <= 135
    img2 = load_image(np.full((4, 4, 3), 65535, dtype=np.uint16))
    assert img2.getpixel((0, 0)) == (255, 255, 255)


def test_cmyk_palette_rgba():
    cmyk = load_image(_png(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG"))
    r, g, b = cmyk.getpixel((4, 4))
    assert cmyk.mode == "RGB" and r > 200 and g < 60 and b < 60
    pal = Image.new("RGB", (8, 8), (0, 0, 255)).convert("P", palette=Image.Palette.ADAPTIVE)
    assert load_image(_png(pal)).getpixel((1, 1)) == (0, 0, 255)
    rgba = Image.new("RGBA", (8, 8), (255, 0, 0, 0))  # fully transparent -> white background
    assert load_image(rgba).getpixel((1, 1)) == (255, 255, 255)
    half = load_image(Image.new("LA", (4, 4), (0, 128)))
    assert 120 <= half.getpixel((0, 0))[0] <= 135


def test_exif_orientation_applied():
    img = Image.new("RGB", (40, 20), "white")
    img.paste((255, 0, 0), (0, 0, 10, 20))  # red strip on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    out = load_image(_png(img, "JPEG", exif=exif.tobytes(), quality=95))
    assert out.size == (20, 40)
    assert out.getpixel((10, 2))[1] < 80  # red strip is now at the top


def test_arrays_and_bytes():
    gray = load_image(np.zeros((5, 6), dtype=np.uint8))
    assert gray.size == (6, 5) and gray.mode == "RGB"
    flt = load_image(np.ones((3, 3, 3), dtype=np.float32))
    assert flt.getpixel((0, 0)) == (255, 255, 255)
    rgba = load_image(np.zeros((3, 3, 4), dtype=np.uint8))
    assert rgba.getpixel((0, 0)) == (255, 255, 255)
    with pytest.raises(ImageError, match="shape"):
        load_image(np.zeros((3, 3, 2), dtype=np.uint8), name="two-channel")
    with pytest.raises(ImageError, match="NaN"):
        load_image(np.full((2, 2), np.nan))
    with pytest.raises(ImageError, match="cannot load an image from a int"):
        load_image(42)


def test_digest_depends_on_pixels_only():
    a = Image.new("RGB", (8, 8), "red")
    assert image_digest(a) == image_digest(a.copy())
    assert image_digest(a) != image_digest(Image.new("RGB", (8, 8), "blue"))
    assert image_digest(a) != image_digest(Image.new("RGB", (4, 16), "red"))
