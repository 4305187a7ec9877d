import pytest

from agent.config import Config
from agent.errors import ConfigError, ModelUnavailableError
from tools.builtin import VISION_TOOLS
from tools.models import ModelHub
from tools.registry import ToolRegistry


def test_one_hub_per_config():
    cfg = Config()
    assert ModelHub.shared(cfg) is ModelHub.shared(Config())
    assert ModelHub.shared(cfg.replace(**{"detector.score_threshold": 0.5})) is not ModelHub.shared(cfg)


def test_facts_backend_has_no_vlm_and_no_clip():
    hub = ModelHub(Config())
    assert hub.vqa() is None and hub.clip() is None


def test_missing_models_say_how_to_get_them(tmp_path):
    hub = ModelHub(Config().replace(**{"detector.path": str(tmp_path / "x.onnx")}))
    with pytest.raises(ModelUnavailableError, match="detector.path"):
        hub.detector()
    with pytest.raises(ModelUnavailableError, match="vqa.model"):
        ModelHub(Config().replace(**{"vqa.backend": "transformers"})).vqa()
    with pytest.raises(ModelUnavailableError, match="not found"):
        ModelHub(Config().replace(**{"detector.backend": "ultralytics",
                                     "detector.path": str(tmp_path / "yolov8n.onnx")})).detector()
    with pytest.raises(ConfigError, match="unknown detector.backend"):
        ModelHub(Config().replace(**{"detector.backend": "magic"})).detector()
    with pytest.raises(ModelUnavailableError, match="faces.path"):
        ModelHub(Config().replace(**{"faces.path": str(tmp_path / "yunet.onnx")})).faces()
    with pytest.raises(ConfigError, match="unknown faces.backend"):
        ModelHub(Config().replace(**{"faces.backend": "magic"})).faces()


def test_default_backends_are_the_shared_onnx_files():
    cfg = Config()
    assert cfg.detector.backend == "ensemble" and cfg.detector.ensemble_primary == "ultralytics"
    assert cfg.faces.backend == "yunet"
    assert cfg.detector_path.name == "yolov8n_coco_int8.onnx" and cfg.yunet_path.name == "face_detection_yunet.onnx"
    assert cfg.yolox_path.name == "yolox_nano.onnx"
    assert cfg.replace(**{"detector.backend": "yolox"}).detector_path.name == "yolox_nano.onnx"


def test_pinned_shared_files_are_hash_checked(tmp_path):
    fake = tmp_path / "yolov8n_coco_int8.onnx"  # the pinned file's name, other bytes
    fake.write_bytes(b"not the model")
    with pytest.raises(ModelUnavailableError, match="sha256"):
        ModelHub(Config().replace(**{"detector.path": str(fake)})).detector()
    fake_faces = tmp_path / "face_detection_yunet.onnx"
    fake_faces.write_bytes(b"not the model")
    with pytest.raises(ModelUnavailableError, match="sha256"):
        ModelHub(Config().replace(**{"faces.path": str(fake_faces)})).faces()


@pytest.mark.slow
def test_detector_loads_once_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    hub = ModelHub(Config())
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: hub.detector(), range(4)))
    assert all(d is found[0] for d in found) and hub.loaded() == ["detector"]


def test_vision_tools_form_a_registry():
    reg = ToolRegistry(VISION_TOOLS)
    for name in ("LOC", "COUNT", "SELECT", "CROP", "CROP_LEFTOF", "CROP_INFRONTOF", "FACEDET", "OCR",
                 "CLASSIFY", "COLOR", "REGIONS", "VQA", "CAPTION", "TAG"):
        assert name in reg
    for tool in reg:
        assert tool.summary and all(p.description for p in tool.params), tool.name
