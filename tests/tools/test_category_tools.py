"""LOC, SELECT and CLASSIFY with category words (vehicle, animal, ...) on the sample photos."""

import numpy as np
import pytest
from PIL import Image

from tools.locate import loc, select
from tools.perception import classify
from tools.types import Detections
from tools.vocabulary import canonical, category_labels, labels_match


def test_vehicle_is_a_category_not_a_synonym_for_car():
    assert canonical("vehicle") is None  # it used to read as 'car' only
    assert category_labels("vehicles") == {"airplane", "bicycle", "boat", "bus", "car", "motorcycle", "train",
                                           "truck"}
    assert category_labels("bus") is None and category_labels("zebra crossing") is None
    assert labels_match("bus", "vehicle") and labels_match("cat", "animal") and not labels_match("person", "animal")
    assert labels_match("bus", "buses") and not labels_match("car", "bus")


def test_select_keeps_every_member_of_a_category(ctx):
    img = Image.new("RGB", (100, 100), "white")
    dets = Detections(np.array([[0, 0, 10, 10], [20, 20, 40, 40], [50, 50, 90, 90]]), np.array([0.9, 0.8, 0.7]),
                      ("bus", "person", "truck"), img.size)
    assert select(ctx, img, dets, "vehicle").labels == ("bus", "truck")


@pytest.mark.slow
def test_loc_vehicle_and_animal_on_photos(ctx, bus):
    from skimage.data import chelsea

    vehicles = loc(ctx, bus, "vehicle")
    assert vehicles.labels == ("bus",) and "classes" in vehicles.notes[-1]
    assert len(loc(ctx, bus, "animal")) == 0
    cat = Image.fromarray(chelsea())
    assert loc(ctx, cat, "animals").labels == ("cat",)


@pytest.mark.slow
def test_classify_names_the_member_of_a_category(ctx, bus):
    from skimage.data import chelsea, coffee

    cat = Image.fromarray(chelsea())
    assert classify(ctx, cat) in {"tiger cat", "tabby", "Egyptian cat"}  # the raw ImageNet label
    assert classify(ctx, cat, ["animal"]) == "cat"  # what a person says
    assert classify(ctx, cat, ["vehicle"]) == "unknown"
    assert classify(ctx, bus, ["vehicle"]) == "bus"
    assert classify(ctx, Image.fromarray(coffee()), ["drink"]) == "coffee"
    assert classify(ctx, cat, ["dog", "cat"]) == "cat"  # candidates keep their old meaning
