"""EMOJI pastes a real emoji picture (Noto Color Emoji, Debian's fonts-noto-color-emoji) over objects."""

import numpy as np
import pytest
from PIL import Image

from agent.errors import ArgumentError, ModelUnavailableError
from tests.tools.visprog_fakes import private_ctx
from tools.emoji import emoji, emoji_char, font_path
from tools.types import Detections


def test_visprog_names_emoticons_and_unicode_names_map_to_emoji():
    assert emoji_char("face_with_tongue") == "\U0001F61B" == emoji_char(":p")
    assert emoji_char("smiling_face_with_sunglasses") == "\U0001F60E" == emoji_char("8)")
    assert emoji_char("winking_face") == "\U0001F609" == emoji_char(";)")
    assert emoji_char("smiling_face") == "\u263A" and emoji_char("thumbs_up") == "\U0001F44D"
    assert emoji_char("\U0001F600") == "\U0001F600"
    with pytest.raises(ArgumentError, match="unknown emoji"):
        emoji_char("definitely_not_an_emoji")


def test_emoji_covers_each_object_with_a_colour_picture():
    img = Image.new("RGB", (200, 100), (90, 90, 90))
    faces = Detections(np.array([[20, 20, 60, 70], [120, 30, 160, 80]]), np.array([0.9, 0.8]), ("face", "face"),
                       img.size)
    out = np.asarray(emoji(private_ctx(), img, faces, "face_with_tongue")).astype(int)
    for x1, y1, x2, y2 in faces.boxes.astype(int):
        patch = out[y1:y2, x1:x2]
        yellow = (patch[..., 0] > 180) & (patch[..., 1] > 130) & (patch[..., 2] < 100)
        assert yellow.mean() > 0.4  # the emoji's yellow face hides the box
    assert (out[5, 100] == 90).all() and (out[90, 100] == 90).all()  # elsewhere untouched


def test_a_missing_font_is_a_typed_error_saying_what_to_install(tmp_path):
    with pytest.raises(ModelUnavailableError) as err:
        font_path(str(tmp_path / "none.ttf"))
    assert "fonts-noto-color-emoji" in err.value.hint
