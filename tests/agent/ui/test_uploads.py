import pytest
from PIL import Image

from agent.config import ImageLimits
from agent.errors import ImageError
from agent.ui.uploads import ingest_uploads


def test_uploads_are_validated_and_content_addressed(tmp_path):
    src = tmp_path / "in.jpg"
    Image.new("RGB", (20, 10), (0, 0, 255)).save(src, format="PNG")
    dup = tmp_path / "copy.png"
    dup.write_bytes(src.read_bytes())
    out = ingest_uploads([str(src), {"path": str(dup), "orig_name": "copy.png"}], tmp_path / "store", ImageLimits())
    assert len(out) == 1 and out[0].suffix == ".png" and out[0].parent == tmp_path / "store"
    assert Image.open(out[0]).size == (20, 10)


def test_malformed_upload_names_the_file(tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    with pytest.raises(ImageError, match="notes.png"):
        ingest_uploads([{"path": str(bad), "orig_name": "notes.png"}], tmp_path / "store", ImageLimits())


def test_pixel_limit_applies(tmp_path):
    big = tmp_path / "big.png"
    Image.new("RGB", (100, 100)).save(big)
    with pytest.raises(ImageError, match="pixels"):
        ingest_uploads([str(big)], tmp_path / "store", ImageLimits(max_pixels=1000))
