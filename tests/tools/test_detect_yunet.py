import numpy as np
import pytest
from PIL import Image

from agent.config import Config
from agent.errors import ModelUnavailableError
from tools.detect_yunet import YuNetFaces
from tools.models import ModelHub
from tools.perception import facedet


def test_missing_file_names_the_setting(tmp_path):
    with pytest.raises(ModelUnavailableError, match="faces.path"):
        YuNetFaces(tmp_path / "none.onnx")


@pytest.mark.slow
def test_yunet_is_the_default_and_finds_the_two_faces_on_zidane(ctx, zidane):
    faces = facedet(ctx, zidane)
    assert faces.source == "yunet" and len(faces) == 2 and set(faces.labels) == {"face"}
    assert ((faces.scores >= 0.8) & (faces.scores <= 1)).all()
    # one face per person: the two centres lie far apart, each inside the picture's upper two thirds
    centres = faces.centers
    assert abs(centres[0, 0] - centres[1, 0]) > 200 and (centres[:, 1] < 0.7 * zidane.height).all()
    detector = ctx.models.faces()
    dets, landmarks = detector.faces_with_landmarks(zidane)
    assert landmarks.shape == (2, 5, 2)
    for box, points in zip(dets.boxes, landmarks, strict=True):  # the eyes and nose lie inside their face box
        assert (points[:3, 0] >= box[0]).all() and (points[:3, 0] <= box[2]).all()


@pytest.mark.slow
def test_yunet_finds_no_face_in_a_plain_picture_and_scales_boxes(zidane):
    faces = ModelHub.shared(Config()).faces()
    assert len(faces.detect(Image.new("RGB", (320, 240), "white"))) == 0
    small = zidane.resize((zidane.width // 2, zidane.height // 2))
    half = faces.detect(small).boxes
    full = faces.detect(zidane).boxes
    assert len(half) == len(full) == 2
    order = np.argsort(half[:, 0]), np.argsort(full[:, 0])
    assert np.allclose(half[order[0]] * 2, full[order[1]], atol=12)


@pytest.mark.slow
def test_haar_fallback_still_loads(zidane):
    haar = ModelHub(Config().replace(**{"faces.backend": "haar"})).faces()
    assert haar.source == "haar" and len(haar.detect(zidane, "face")) >= 2
