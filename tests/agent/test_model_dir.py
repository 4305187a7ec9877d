"""Local model files come from the configuration and the model store only, never from beside the checkout.

Order: detector.path / faces.path, then $VISREASON_DETECTOR, then the backend's file (name from the model
registry) in the model folder: config ``model_dir``, else $VISREASON_MODEL_DIR, else $VISREASON_HOME/models.
"""

from __future__ import annotations

import pytest

from agent.config import Config, load_config
from agent.errors import ModelUnavailableError
from agent.model_store import ModelStore


@pytest.fixture
def no_model_env(monkeypatch):
    for name in ("VISREASON_MODEL_DIR", "VISREASON_DETECTOR", "VISREASON_HOME"):
        monkeypatch.delenv(name, raising=False)


def test_an_empty_model_folder_finds_nothing_even_beside_the_shared_folder(tmp_path, no_model_env):
    cfg = Config(home=str(tmp_path / "home"), model_dir=str(tmp_path / "empty"))
    assert cfg.detector_path is None and cfg.yunet_path is None and cfg.yolox_path is None


def test_the_model_folder_defaults_to_the_model_store_folder(tmp_path, no_model_env):
    cfg = Config(home=str(tmp_path / "home"))
    assert cfg.model_dir_path == tmp_path / "home" / "models" == ModelStore(cfg).models_dir
    assert cfg.detector_path is None
    (tmp_path / "home" / "models").mkdir(parents=True)
    (tmp_path / "home" / "models" / "yolov8n_coco_int8.onnx").write_bytes(b"x")
    assert cfg.detector_path == tmp_path / "home" / "models" / "yolov8n_coco_int8.onnx"


def test_config_then_environment_choose_the_folder(tmp_path, monkeypatch, no_model_env):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        for name in ("yolox_nano.onnx", "yolov8n_coco_int8.onnx", "face_detection_yunet.onnx"):
            (tmp_path / folder / name).write_bytes(b"x")
    monkeypatch.setenv("VISREASON_MODEL_DIR", str(tmp_path / "a"))
    from_env = load_config(overrides={"home": str(tmp_path / "home")})
    assert from_env.detector_path == tmp_path / "a" / "yolov8n_coco_int8.onnx"
    assert from_env.replace(**{"detector.backend": "yolox"}).detector_path == tmp_path / "a" / "yolox_nano.onnx"
    from_config = load_config(overrides={"model_dir": str(tmp_path / "b")})
    assert from_config.yunet_path == tmp_path / "b" / "face_detection_yunet.onnx"
    explicit = from_config.replace(**{"detector.path": str(tmp_path / "mine.onnx")})
    assert explicit.detector_path == tmp_path / "mine.onnx"  # an explicit path wins, present or not


def test_a_missing_detector_is_a_typed_error_naming_the_model_folder(tmp_path, no_model_env):
    from tools.models import ModelHub

    cfg = Config(home=str(tmp_path / "home"), model_dir=str(tmp_path / "nothing-here"))
    for backend in ("ultralytics", "yolox"):
        with pytest.raises(ModelUnavailableError) as err:
            ModelHub(cfg.replace(**{"detector.backend": backend})).detector()
        assert str(tmp_path / "nothing-here") in err.value.message and "model_dir" in err.value.hint
    with pytest.raises(ModelUnavailableError) as err:
        ModelHub(cfg).faces()
    assert "face_detection_yunet.onnx" in err.value.message and "faces.backend=haar" in err.value.hint
    status = ModelStore(cfg).status("yolox-nano")
    assert status.state == "missing" and "model folder" in status.detail
