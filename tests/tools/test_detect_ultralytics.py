import pytest
from PIL import Image

from agent.config import Config
from agent.errors import ModelUnavailableError
from tools.detect_ultralytics import UltralyticsDetector, is_open_vocabulary
from tools.models import ModelHub
from tools.types import Detections


def test_open_vocabulary_names():
    assert is_open_vocabulary("yolov8s-worldv2.pt") and is_open_vocabulary("/m/yoloe-11s-seg.pt")
    assert not is_open_vocabulary("yolo11n.pt")


def test_missing_weights_are_not_downloaded(tmp_path):
    with pytest.raises(ModelUnavailableError, match="not found"):
        UltralyticsDetector(str(tmp_path / "yolo11n.pt"))


@pytest.mark.slow
def test_random_yolo11n_yaml_gives_detections():
    hub = ModelHub(Config().replace(**{"detector.backend": "ultralytics", "detector.path": "yolo11n.yaml",
                                       "detector.score_threshold": 0.0001}))
    detector = hub.detector()
    img = Image.new("RGB", (160, 120), (90, 120, 200))
    dets = detector.detect(img)
    assert isinstance(dets, Detections) and dets.image_size == (160, 120)
    assert dets.source == "ultralytics:yolo11n.yaml" and len(detector.vocabulary) == 80
    assert len(dets) > 0  # random weights still emit boxes at a near-zero threshold
    assert (dets.boxes[:, 2] <= 160.5).all() and (dets.scores[:-1] >= dets.scores[1:]).all()


@pytest.mark.slow
def test_yolov8n_onnx_is_the_default_primary_and_finds_four_people_on_bus(ctx, bus):
    default = ctx.models.detector()  # the default configuration: YOLOv8n, its weak boxes confirmed by YOLOX-Nano
    assert default.source == "ultralytics:yolov8n_coco_int8.onnx+yolox-nano"
    both = default.detect(bus)
    assert both.labels.count("person") == 4 and both.labels.count("bus") == 1
    detector = ModelHub(ctx.config.replace(**{"detector.backend": "ultralytics"})).detector()  # YOLOv8n alone
    assert detector.source == "ultralytics:yolov8n_coco_int8.onnx" and len(detector.vocabulary) == 80
    dets = detector.detect(bus)
    assert dets.labels.count("person") == 4 and dets.labels.count("bus") == 1  # YOLOX-Nano finds 3 people
    assert dets.image_size == bus.size and (dets.scores[:-1] >= dets.scores[1:]).all()
    big = dets.boxes[dets.labels.index("bus")]
    assert big[2] - big[0] > 0.7 * bus.width
    assert len(detector.detect(Image.new("RGB", (64, 64), "white"))) == 0
