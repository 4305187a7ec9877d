import numpy as np
from PIL import Image

from tools.crop import crop, crop_above, crop_below, crop_leftof, crop_rightof, crop_visprog
from tools.registry import ToolRegistry
from tools.types import Detections

IMG = Image.new("RGB", (200, 100), "white")
BOX = Detections(np.array([[40, 20, 80, 60], [0, 0, 10, 10]]), np.array([0.9, 0.5]), ("a", "b"), (200, 100))
NONE = Detections.empty((200, 100))


def test_crop_uses_best_box_with_padding():
    out = crop(None, IMG, BOX)
    assert out.size == (48, 48)  # 40x40 box plus 10% each side
    assert out.info["crop_box"] == (36.0, 16.0, 84.0, 64.0)
    assert crop(None, IMG, NONE).size == IMG.size


def test_directional_crops_split_at_box_centre():
    assert crop_leftof(None, IMG, BOX).size == (60, 100)
    assert crop_rightof(None, IMG, BOX).size == (140, 100)
    assert crop_above(None, IMG, BOX).size == (200, 40)
    assert crop_below(None, IMG, BOX).size == (200, 60)
    assert crop_leftof(None, IMG, NONE).size == (100, 100)  # no box: split at the image centre


def test_visprog_named_crops_behave_exactly_like_visprogs_crop():
    """In VisProg's code CROP_FRONTOF, CROP_INFRONT, CROP_INFRONTOF, CROP_BEHIND and CROP_AHEAD subclass its CROP:
    no direction, the box enlarged 1.5x around its centre."""
    reg = ToolRegistry([crop, crop_above, crop_below, crop_leftof, crop_rightof, crop_visprog])
    for alias in ("CROP_FRONTOF", "CROP_INFRONT", "CROP_INFRONTOF", "CROP_BEHIND", "CROP_AHEAD"):
        assert reg.get(alias).name == "CROP_FRONTOF"
        out = reg.call(alias, None, image=IMG, box=BOX)
        assert out.size == (60, 60)  # the 40x40 box around (60, 40), 1.5x
        assert out.info["crop_box"] == (30.0, 10.0, 90.0, 70.0)
    edge = Detections(np.array([[0, 0, 40, 40]]), np.array([0.9]), ("a",), (200, 100))
    assert crop_visprog(None, IMG, edge).size == (50, 50)  # clipped at the image border, as VisProg does
    assert crop_visprog(None, IMG, NONE).size == IMG.size
