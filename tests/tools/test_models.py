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
    with pytest.raises(ModelUnavailableError, match="detector.path"):
        ModelHub(Config().replace(**{"detector.backend": "ultralytics"})).detector()
    with pytest.raises(ConfigError, match="unknown detector.backend"):
        ModelHub(Config().replace(**{"detector.backend": "magic"})).detector()


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
