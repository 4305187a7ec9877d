"""detector.backend=ensemble: the primary's boxes plus its weak ones a second detector confirms."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from agent.config import Config
from agent.errors import ConfigError
from tools.detect_ensemble import ConfirmedDetector, box_inside, box_iou, confirm
from tools.protocols import Detector
from tools.types import Detections

SIZE = (200, 100)


def dets(rows: list[tuple[str, float, tuple[int, int, int, int]]], source: str = "a") -> Detections:
    if not rows:
        return Detections.empty(SIZE, source)
    return Detections(np.array([r[2] for r in rows], dtype=np.float32), np.array([r[1] for r in rows]),
                      tuple(r[0] for r in rows), SIZE, source)


def test_overlap_measures():
    box = np.array([0, 0, 10, 10], dtype=np.float32)
    others = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [0, 0, 20, 20], [50, 50, 60, 60]], dtype=np.float32)
    assert np.allclose(box_iou(box, others), [1.0, 50 / 150, 0.25, 0.0])
    assert np.allclose(box_inside(box, others), [1.0, 0.5, 1.0, 0.0])


def test_a_weak_box_the_second_detector_also_finds_is_added_below_the_primarys_own():
    primary = dets([("tie", 0.316, (10, 10, 30, 60)), ("tie", 0.134, (100, 10, 120, 60))])
    second = dets([("tie", 0.297, (102, 8, 122, 62))], "b")  # noisy-OR 0.39 > 0.316
    out = confirm(primary, second, score_threshold=0.3)
    assert out.labels == ("tie", "tie") and out.source == "a+b"
    assert out.scores.tolist() == pytest.approx([0.316, 0.3])  # "the best box" stays the primary's
    assert out.boxes[1].tolist() == [100, 10, 120, 60]  # the primary's box


def test_confirmed_boxes_are_ordered_by_their_combined_evidence():
    primary = dets([("cup", 0.2, (0, 0, 20, 20)), ("cup", 0.1, (50, 0, 70, 20))])
    second = dets([("cup", 0.25, (0, 0, 20, 20)), ("cup", 0.9, (50, 0, 70, 20))], "b")
    out = confirm(primary, second, score_threshold=0.3)  # noisy-OR 0.4 and 0.91
    assert out.boxes[:, 0].tolist() == [50, 0]


@pytest.mark.parametrize("second_rows, why", [
    ([("cup", 0.9, (100, 10, 120, 60))], "another class"),
    ([("tie", 0.9, (112, 10, 132, 60))], "another place (IoU 0.33)"),
    ([("tie", 0.1, (100, 10, 120, 60))], "too weak together (0.22)"),
    ([], "not seen at all"),
])
def test_a_weak_box_is_not_added_without_confirmation(second_rows, why):
    primary = dets([("tie", 0.6, (10, 10, 30, 60)), ("tie", 0.134, (100, 10, 120, 60))])
    out = confirm(primary, dets(second_rows, "b"), score_threshold=0.3)
    assert out.labels == ("tie",), why


def test_the_second_detectors_own_boxes_are_never_added_and_strong_boxes_always_kept():
    primary = dets([("person", 0.9, (0, 0, 50, 100))])
    second = dets([("person", 0.95, (150, 0, 200, 100)), ("dog", 0.8, (60, 0, 100, 50))], "b")
    out = confirm(primary, second, score_threshold=0.3)
    assert out.labels == ("person",) and out.boxes[0].tolist() == [0, 0, 50, 100]


def test_a_confirmed_piece_of_a_kept_object_is_not_a_second_object():
    primary = dets([("motorcycle", 0.9, (0, 0, 200, 100)), ("motorcycle", 0.2, (10, 20, 90, 90))])
    second = dets([("motorcycle", 0.3, (10, 20, 90, 90))], "b")
    assert confirm(primary, second, score_threshold=0.3).labels == ("motorcycle",)


def test_each_second_box_confirms_one_primary_box():
    primary = dets([("cup", 0.2, (10, 10, 50, 50)), ("cup", 0.15, (12, 10, 52, 50))])
    out = confirm(primary, dets([("cup", 0.5, (10, 10, 50, 50))], "b"), score_threshold=0.3)
    assert len(out) == 1 and out.boxes[0].tolist() == [10, 10, 50, 50]


class Fixed:
    def __init__(self, d: Detections) -> None:
        self.d, self.calls = d, 0

    vocabulary = ("tie",)

    def detect(self, img: Image.Image, classes: list[str] | None = None) -> Detections:
        self.calls += 1
        return self.d


def test_the_second_detector_runs_only_when_there_is_a_weak_box():
    strong = Fixed(dets([("tie", 0.9, (0, 0, 10, 10))]))
    second = Fixed(dets([("tie", 0.9, (0, 0, 10, 10))], "b"))
    detector = ConfirmedDetector(strong, second)
    assert isinstance(detector, Detector) and detector.vocabulary == ("tie",)
    assert detector.detect(Image.new("RGB", SIZE)).labels == ("tie",) and second.calls == 0
    weak = ConfirmedDetector(Fixed(dets([("tie", 0.2, (0, 0, 10, 10))])), second)
    assert len(weak.detect(Image.new("RGB", SIZE))) == 1 and second.calls == 1


def test_bad_settings_are_config_errors():
    from tools.models import ModelHub

    for overrides in ({"detector.ensemble_second": "ensemble"}, {"detector.ensemble_floor": 0.5},
                      {"detector.ensemble_primary": "nope"}):
        with pytest.raises(ConfigError):
            ModelHub(Config().replace(**{"detector.backend": "ensemble", **overrides})).detector()


@pytest.fixture(scope="module")
def ensemble():
    from tools.models import ModelHub

    config = Config().replace(**{"detector.backend": "ensemble"})
    if config.model_file("ultralytics") is None or config.model_file("yolox") is None:
        pytest.skip("yolov8n_coco_int8.onnx and yolox_nano.onnx are not in the model folder")
    return ModelHub(config).detector()


def _photo(name: str) -> Image.Image:
    from benchmarks.sample_images import sources

    return Image.open(sources()[name]).convert("RGB")


@pytest.mark.slow
def test_both_ties_in_zidane(ensemble, zidane):
    found = ensemble.detect(zidane)
    ties = found[[i for i, label in enumerate(found.labels) if label == "tie"]]
    assert len(ties) == 2 and found.labels.count("person") == 2
    centres = sorted(float((b[0] + b[2]) / 2) for b in ties.boxes)
    assert centres[0] < 600 < 900 < centres[1]  # Zidane's tie and Ancelotti's, not one tie twice


@pytest.mark.slow
def test_the_tie_to_name_is_still_the_one_yolov8n_found(ensemble, zidane):
    found = ensemble.detect(zidane)
    ties = found[[i for i, label in enumerate(found.labels) if label == "tie"]]
    best = ties.boxes[int(ties.scores.argmax())]
    assert (best[0] + best[2]) / 2 < 600  # Zidane's (YOLOv8n's own 0.32), not the confirmed one


@pytest.mark.slow
def test_bus_still_four_people(ensemble, bus):
    found = ensemble.detect(bus)
    assert found.labels.count("person") == 4 and found.labels.count("bus") == 1


@pytest.mark.slow
@pytest.mark.parametrize("name, expected", [
    ("motorcycle.png", ["motorcycle"]),  # a confirmed weak box over its front half is not a second one
    ("chelsea.png", ["cat"]),
    ("coffee.png", ["cup", "dining table"]),
    ("grace_hopper.jpg", ["person", "tie"]),
])
def test_no_new_objects_on_other_photos(ensemble, name, expected):
    assert sorted(ensemble.detect(_photo(name)).labels) == expected


def test_the_default_ensemble_without_the_second_file_detects_with_the_primary_alone(tmp_path):
    """An install with only YOLOv8n's file keeps working under the default backend, and says so."""
    import shutil
    import warnings

    from agent.config import Config
    from tools.models import ModelHub

    shared = Config().model_file("ultralytics")
    assert shared is not None, "needs yolov8n_coco_int8.onnx in the model folder"
    shutil.copy(shared, tmp_path / shared.name)
    config = Config(model_dir=str(tmp_path))
    assert config.detector.backend == "ensemble" and config.detector_path == tmp_path / shared.name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        detector = ModelHub(config).detector()
    assert detector.source == f"ultralytics:{shared.name}"
    assert any("alone" in str(w.message) for w in caught)
