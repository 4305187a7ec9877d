"""SEG: detector objects with GrabCut masks, and stuff regions (sky, grass, road, wall...) from colour and texture."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tools.masks import object_masks
from tools.stuff import stuff_masks, stuff_words
from tools.types import Detections


def _noise(h, w, base, spread, seed):
    rng = np.random.default_rng(seed)
    return np.clip(np.array(base) + rng.normal(0, spread, (h, w, 3)), 0, 255)


def landscape() -> Image.Image:
    """Blue sky over a beige wall over green textured grass; a grey road in the bottom right."""
    h, w = 160, 240
    arr = np.zeros((h, w, 3))
    arr[:50] = np.linspace([110, 160, 230], [150, 190, 240], 50)[:, None, :]  # smooth sky
    arr[50:95] = [215, 200, 170]  # wall
    arr[95:] = _noise(65, w, (60, 150, 50), 25, 0)  # grass
    arr[125:, 130:] = _noise(35, 110, (110, 110, 112), 4, 1)  # road
    return Image.fromarray(arr.astype(np.uint8))


def test_stuff_regions_are_labelled_and_placed():
    img = landscape()
    found = dict(stuff_masks(img))
    assert {"sky", "grass", "wall"} <= set(found)
    assert found["sky"][:45].mean() > 0.9 and found["sky"][60:].mean() < 0.02
    assert found["grass"][100:120].mean() > 0.8 and found["grass"][:90].mean() < 0.02
    assert found["wall"][55:90].mean() > 0.8
    assert all(m.shape == (160, 240) for m in found.values())


def test_stuff_leaves_object_pixels_out_and_knows_its_words():
    img = landscape()
    exclude = np.zeros((160, 240), bool)
    exclude[:40, :120] = True  # an object in front of the sky
    sky = dict(stuff_masks(img, exclude))["sky"]
    assert not sky[:40, :120].any() and sky[:40, 130:].mean() > 0.9
    assert stuff_words("the street") == ("road",) and stuff_words("clouds") == ("sky",)
    assert stuff_words("vegetation") == ("tree", "grass") and stuff_words("bus") == ()


def test_object_masks_follow_the_object_not_its_box():
    img = Image.fromarray(_noise(120, 160, (60, 140, 60), 20, 2).astype(np.uint8))
    ImageDraw.Draw(img).ellipse((40, 30, 110, 100), fill=(220, 40, 40))
    truth = np.zeros((120, 160), bool)
    yy, xx = np.mgrid[0:120, 0:160]
    truth[((xx - 75) / 35) ** 2 + ((yy - 65) / 35) ** 2 <= 1] = True
    dets = Detections(np.array([[36, 26, 114, 104]]), np.array([0.9]), ("ball",), img.size)
    mask = object_masks(img, dets)[0]
    iou = (mask & truth).sum() / (mask | truth).sum()
    assert iou > 0.8 and not mask[28, 38]  # the box's corner is background


def test_overlapping_objects_give_the_pixel_to_the_smaller_one():
    img = Image.new("RGB", (100, 100), (200, 200, 200))
    ImageDraw.Draw(img).rectangle((10, 10, 90, 90), fill=(30, 30, 200))
    ImageDraw.Draw(img).rectangle((40, 40, 60, 60), fill=(220, 30, 30))
    dets = Detections(np.array([[5, 5, 95, 95], [36, 36, 64, 64]]), np.array([0.9, 0.9]), ("bus", "person"), img.size)
    masks = object_masks(img, dets)
    assert masks[1][50, 50] and not masks[0][50, 50] and masks[0][20, 20]


@pytest.mark.slow
def test_seg_on_photos(ctx):
    from benchmarks.sample_images import ensure_images
    from tools.seg import seg

    folder = ensure_images()
    china = seg(ctx, Image.open(folder / "china.jpg").convert("RGB"))
    assert {"sky", "tree"} <= set(china.labels) and china.masks.shape[1:] == (427, 640)
    sky = china.masks[china.labels.index("sky")]
    assert sky[:100].mean() > 0.5 and sky[300:].mean() < 0.1
    bus = seg(ctx, Image.open(folder / "bus.jpg").convert("RGB"))
    assert {"bus", "person", "road"} <= set(bus.labels)
    road = bus.masks[bus.labels.index("road")]
    assert road[900:].mean() > 0.3 and road[:500].mean() < 0.02
    bus_mask = bus.masks[bus.labels.index("bus")]
    x1, y1, x2, y2 = bus.boxes[bus.labels.index("bus")].astype(int)
    assert 0.4 < bus_mask[y1:y2, x1:x2].mean() < 1.0  # a cut, not the whole box
