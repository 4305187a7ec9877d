"""SELECT in VisProg's form: object=, comma-separated queries, category=, label words, synonyms and hypernyms."""

import numpy as np
import pytest
from PIL import Image

from agent.errors import ArgumentError
from tests.tools.visprog_fakes import ColourClip, masked, people_scene, private_ctx
from tools.locate import select
from tools.types import Detections


@pytest.fixture
def scene():
    img, people = people_scene()
    bus = Detections(np.array([[150, 0, 239, 15]]), np.array([0.6]), ("bus",), img.size)
    both = Detections(np.r_[people.boxes, bus.boxes], np.r_[people.scores, bus.scores], people.labels + ("bus",),
                      img.size)
    return img, masked(both, {"road": (0, 110, 240, 120), "sky": (0, 0, 240, 8)})


def test_comma_query_picks_each_part_by_label_synonym_and_hypernym(scene):
    img, objs = scene
    ctx = private_ctx()
    out = select(ctx, img, object=objs, query="girl,street", category=None)
    assert out.labels == ("person", "person", "person", "road")
    assert out.masks is not None and out.masks.shape == (4, 120, 240)  # masks travel with the objects
    assert select(ctx, img, object=objs, query="vehicle", category=None).labels == ("bus",)
    assert select(ctx, img, object=objs, query="the sky, clouds", category=None).labels == ("sky",)


def test_colour_words_keep_the_objects_of_that_colour(scene):
    img, objs = scene
    out = select(private_ctx(), img, object=objs, query="blue person", category=None)
    assert len(out) == 1 and out.boxes[0].tolist() == [90, 20, 140, 110] and not out.warnings


def test_no_object_of_the_colour_keeps_the_closest_match_with_a_warning(scene):
    img, objs = scene
    out = select(private_ctx(), img, object=objs, query="red bus", category=None)
    assert out.labels == ("bus",) and "no 'bus' here is red" in out.warnings[0]


def test_category_narrows_then_colour_describes(scene):
    img, objs = scene
    out = select(private_ctx(), img, object=objs, query="man wearing a red suit", category="person")
    assert len(out) == 1 and out.boxes[0].tolist() == [10, 20, 60, 110]


def test_names_need_clip_offline_and_clip_picks_them_when_configured(scene):
    img, objs = scene
    offline = select(private_ctx(), img, object=objs, query="Amy,Daphne", category=None)
    assert len(offline) == 0 and "needs CLIP" in offline.warnings[0] and "embedder.clip_model" in offline.warnings[0]
    with_clip = select(private_ctx(ColourClip()), img, object=objs, query="green shirt,blue coat", category="person")
    assert [b.tolist() for b in with_clip.boxes] == [[170, 20, 220, 110], [90, 20, 140, 110]]


def test_our_own_form_is_unchanged_and_arguments_are_checked(scene):
    img, objs = scene
    boxes = Detections(objs.boxes[:3], objs.scores[:3], objs.labels[:3], img.size)
    assert len(select(private_ctx(), img, box=boxes, query="person")) == 3
    with pytest.raises(ArgumentError):
        select(private_ctx(), img, query="person")
    with pytest.raises(ArgumentError):
        select(private_ctx(), img, box=boxes, object=boxes, query="person")
    with pytest.raises(ArgumentError):
        select(private_ctx(), Image.new("RGB", (4, 4)), box=boxes, query=" ")
