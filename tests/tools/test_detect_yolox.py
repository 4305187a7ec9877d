import numpy as np
import pytest
from PIL import Image

from agent.errors import ModelUnavailableError
from tools.detect_yolox import YoloxDetector, letterbox, nms_per_class


def test_letterbox_keeps_aspect_and_pads():
    canvas, ratio = letterbox(np.zeros((208, 416, 3), dtype=np.uint8))
    assert canvas.shape == (416, 416, 3) and ratio == 1.0
    assert canvas[300, 10, 0] == 114 and canvas[100, 10, 0] == 0


def test_nms_is_per_class():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [0, 0, 10, 10]], dtype=np.float32)
    keep = nms_per_class(boxes, np.array([0.9, 0.8, 0.7]), np.array([0, 0, 1]), 0.45)
    assert sorted(keep.tolist()) == [0, 2]


def test_missing_and_mismatched_file(tmp_path):
    with pytest.raises(ModelUnavailableError, match="detector.path"):
        YoloxDetector(tmp_path / "none.onnx")
    fake = tmp_path / "yolox_nano.onnx"
    fake.write_bytes(b"not a model")
    with pytest.raises(ModelUnavailableError, match="sha256"):
        YoloxDetector(fake)


@pytest.mark.slow
def test_bus_photo(bus):
    from agent.config import Config
    from tools.models import ModelHub

    detector = ModelHub.shared(Config().replace(**{"detector.backend": "yolox"})).detector()
    dets = detector.detect(bus)
    assert "bus" in dets.labels and dets.labels.count("person") >= 3
    assert dets.image_size == bus.size and dets.source == "yolox-nano"
    big = dets[[dets.labels.index("bus")]].boxes[0]
    assert big[2] - big[0] > 0.7 * bus.width  # the bus spans the picture
    assert len(detector.detect(Image.new("RGB", (64, 64), "white"))) == 0
