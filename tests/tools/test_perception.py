import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from tools.perception import classify, facedet, ocr, tag
from tools.types import Detections


@pytest.mark.slow
def test_ocr_reads_rendered_sentence(ctx):
    img = Image.new("RGB", (760, 200), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=40)
    draw.text((20, 30), "The quick brown fox", fill="black", font=font)
    draw.text((20, 110), "jumps over the dog", fill="black", font=font)
    text = ocr(ctx, img)
    assert text.splitlines() == ["The quick brown fox", "jumps over the dog"]
    assert ocr(ctx, Image.new("RGB", (64, 64), "white")) == ""


@pytest.mark.slow
def test_faces_on_zidane(ctx, zidane):
    faces = facedet(ctx, zidane)
    assert len(faces) >= 1 and set(faces.labels) == {"face"}
    assert ((faces.scores > 0) & (faces.scores < 1)).all()


@pytest.mark.slow
def test_classify_cat_photo(ctx):
    from skimage.data import chelsea

    cat = Image.fromarray(chelsea())
    assert "cat" in classify(ctx, cat) or classify(ctx, cat) == "tabby"
    assert classify(ctx, cat, ["dog", "cat", "car"]) == "cat"
    assert classify(ctx, cat, ["airplane"]) == "unknown"


def test_tag_draws_boxes(ctx):
    img = Image.new("RGB", (100, 100), "white")
    dets = Detections(np.array([[10, 30, 60, 90]]), np.array([0.9]), ("bus",), img.size)
    out = tag(ctx, img, dets)
    assert out.size == img.size and out is not img
    assert out.getpixel((10, 60)) != (255, 255, 255) and img.getpixel((10, 60)) == (255, 255, 255)
