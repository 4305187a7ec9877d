import numpy as np
import pytest
from PIL import Image

from tools.locate import count, loc, select
from tools.types import Detections


def test_halves_follow_visprog(ctx):
    img = Image.new("RGB", (200, 100))
    assert loc(ctx, img, "LEFT").boxes.tolist() == [[0, 0, 100, 100]]
    assert loc(ctx, img, "right").boxes.tolist() == [[100, 0, 200, 100]]
    assert loc(ctx, img, "Top").boxes.tolist() == [[0, 0, 200, 50]]
    assert loc(ctx, img, "BOTTOM").boxes.tolist() == [[0, 50, 200, 100]]


def test_count():
    dets = Detections(np.array([[0, 0, 1, 1], [1, 1, 2, 2]]), np.array([0.9, 0.8]), ("a", "b"), (4, 4))
    assert count(None, dets) == 2
    assert count(None, Detections.empty((4, 4))) == 0


@pytest.mark.slow
def test_loc_people_is_person(ctx, bus):
    people = loc(ctx, bus, "people")
    assert len(people) >= 3 and set(people.labels) == {"person"}
    assert loc(ctx, bus, "person").boxes.tolist() == people.boxes.tolist()
    assert any("person" in n for n in people.notes)  # says how the query was read
    assert len(loc(ctx, bus, "buses")) == 1
    everything = loc(ctx, bus, "objects")
    assert len(everything) == len(people) + 1


@pytest.mark.slow
def test_out_of_vocabulary_says_so(ctx, bus):
    dets = loc(ctx, bus, "zebra crossing")
    assert len(dets) == 0
    assert "outside the detector vocabulary" in dets.notes[0] and "zebra crossing" in dets.notes[0]


@pytest.mark.slow
def test_detector_output_is_cached(ctx, bus):
    loc(ctx, bus, "bus")
    misses = ctx.cache.misses
    loc(ctx, bus, "person")
    loc(ctx, bus.copy(), "car")  # same pixels, another object
    assert ctx.cache.misses == misses and ctx.cache.hits >= 2


@pytest.mark.slow
def test_select_by_label_and_colour(ctx, bus):
    everything = loc(ctx, bus, "object")
    persons = select(ctx, bus, everything, "men")
    assert set(persons.labels) == {"person"} and len(persons) >= 3
    blue_bus = select(ctx, bus, everything, "blue bus")
    assert blue_bus.labels == ("bus",)
    assert len(select(ctx, bus, everything, "yellow bus")) == 0
    none = select(ctx, bus, everything, "giraffe")
    assert len(none) == 0 and "giraffe" in none.notes[-1]


def test_select_colour_only_on_drawn_boxes(ctx):
    img = Image.new("RGB", (200, 100), "white")
    img.paste((230, 20, 20), (10, 10, 90, 90))
    img.paste((20, 40, 220), (110, 10, 190, 90))
    dets = Detections(np.array([[10, 10, 90, 90], [110, 10, 190, 90]]), np.array([0.9, 0.8]), ("car", "car"),
                      img.size)
    assert select(ctx, img, dets, "red").boxes.tolist() == [[10, 10, 90, 90]]
    assert select(ctx, img, dets, "blue car").boxes.tolist() == [[110, 10, 190, 90]]
