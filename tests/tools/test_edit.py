"""COLORPOP, BGBLUR and REPLACE on selected objects."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from agent.errors import ArgumentError, ModelUnavailableError
from tests.tools.visprog_fakes import masked, people_scene, private_ctx, tiny_inpainting_pipeline
from tools.edit import bgblur, colorpop, replace
from tools.types import Detections


def _checkerboard(size=(120, 80), cell=4) -> Image.Image:
    arr = np.indices((size[1], size[0])).sum(0) // cell % 2
    rgb = np.stack([arr * 200 + 20, (1 - arr) * 180 + 30, np.full_like(arr, 90)], -1).astype(np.uint8)
    return Image.fromarray(rgb)


def test_colorpop_keeps_the_masked_objects_in_colour_and_greys_the_rest():
    img, people = people_scene()
    red = masked(people[[0]])
    out = np.asarray(colorpop(private_ctx(), img, red)).astype(int)
    inside, outside = out[65, 35], out[65, 115]  # the red person, the blue person
    assert tuple(inside) == tuple(np.asarray(img)[65, 35]) and inside[0] - inside[2] > 100
    assert abs(outside[0] - outside[2]) < 3  # grey now


def test_bgblur_blurs_around_the_objects_only():
    img = _checkerboard()
    obj = masked(Detections(np.array([[30, 20, 90, 60]]), np.array([0.9]), ("thing",), img.size))
    out = np.asarray(bgblur(private_ctx(), img, obj)).astype(float)
    src = np.asarray(img).astype(float)
    assert np.abs(out[35:45, 50:70] - src[35:45, 50:70]).mean() < 1  # sharp inside
    assert np.abs(out[2:10, 2:20] - src[2:10, 2:20]).mean() > 20  # blurred outside


def test_plain_boxes_get_grabcut_masks():
    img = Image.new("RGB", (120, 90), (40, 140, 40))
    ImageDraw.Draw(img).ellipse((30, 20, 90, 70), fill=(220, 30, 30))
    box = Detections(np.array([[25, 15, 95, 75]]), np.array([0.9]), ("ball",), img.size)
    out = np.asarray(colorpop(private_ctx(), img, box)).astype(int)
    assert out[45, 60, 0] - out[45, 60, 2] > 100  # the ball stays red
    assert abs(int(out[17, 27, 0]) - int(out[17, 27, 1])) < 3  # the box corner, outside the ball, is grey


def test_edits_check_the_objects_belong_to_the_image_and_warn_when_empty():
    img, people = people_scene()
    with pytest.raises(ArgumentError, match="240x120"):
        colorpop(private_ctx(), img.resize((100, 50)), people)
    out = bgblur(private_ctx(), img, people[[]])
    assert out.facts and "no object was selected" in out.facts[0]


def test_replace_without_a_model_says_what_to_configure():
    img, people = people_scene()
    with pytest.raises(ModelUnavailableError) as err:
        replace(private_ctx(), img, masked(people[[0]]), "blue bus")
    assert "edit.inpaint_model" in err.value.hint
    with pytest.raises(ArgumentError, match="no object to replace"):
        replace(private_ctx(), img, people[[]], "blue bus")


@pytest.mark.slow
def test_replace_with_a_diffusers_pipeline_repaints_only_the_object(tmp_path):
    from tools.inpaint_diffusers import DiffusersInpainter

    pipe = tiny_inpainting_pipeline(tmp_path / "tok")
    pipe.save_pretrained(tmp_path / "pipe")  # loaded back through the real from_pretrained path
    inpainter = DiffusersInpainter(str(tmp_path / "pipe"), steps=2, canvas=64)
    img, people = people_scene()
    ctx = private_ctx()
    ctx.models.install("inpaint", inpainter)
    out = np.asarray(replace(ctx, img, masked(people[[1]]), "green bus")).astype(int)
    src = np.asarray(img).astype(int)
    assert out.shape == src.shape
    assert np.abs(out[30:100, 100:130] - src[30:100, 100:130]).mean() > 5  # the blue person was repainted
    assert np.array_equal(out[:, :60], src[:, :60])  # far from the mask, nothing changed
