"""The vision-backend registry: one line selects a backend, unknown names are typed errors, built-ins fit the Protocols."""

import pytest

from agent.config import Config
from agent.errors import ConfigError
from tools import vision_backends
from tools.models import ModelHub
from tools.protocols import Classifier, Detector, FaceDetector, TextReader, VisionLanguageModel
from tools.types import Detections


class _StubDetector:
    vocabulary = ("thing",)

    def __init__(self, config):
        self.threshold = config.detector.score_threshold

    def detect(self, img, classes=None):
        return Detections([[0, 0, 1, 1]], [0.9], ("thing",), img.size, source="stub")


def stub_detector(config, hub):
    return _StubDetector(config)


def test_one_registration_line_selects_a_new_backend(monkeypatch):
    monkeypatch.setitem(vision_backends.BACKENDS["detector"], "stub", f"{__name__}:stub_detector")
    hub = ModelHub(Config().replace(**{"detector.backend": "stub", "detector.score_threshold": 0.42}))
    detector = hub.detector()
    assert isinstance(detector, Detector) and detector.threshold == 0.42
    assert hub.detector() is detector  # loaded once
    assert "stub" in vision_backends.backend_names("detector")


def test_unknown_backend_names_the_setting_and_the_choices():
    with pytest.raises(ConfigError, match=r"unknown ocr.backend 'magic'; use 'rapidocr'"):
        ModelHub(Config().replace(**{"ocr.backend": "magic"})).ocr()
    with pytest.raises(ConfigError, match="'yunet' or 'haar'"):
        ModelHub(Config().replace(**{"faces.backend": "nope"})).faces()


def test_a_broken_registration_is_a_config_error(monkeypatch):
    monkeypatch.setitem(vision_backends.BACKENDS["detector"], "broken", "tools.no_such_module:load")
    with pytest.raises(ConfigError, match="detector backend"):
        ModelHub(Config().replace(**{"detector.backend": "broken"})).detector()


def test_every_registration_names_a_factory():
    from agent.plugins import load_callable

    for kind, backends in vision_backends.BACKENDS.items():
        assert getattr(Config(), kind).backend in backends, kind  # the default is registered
        for target in backends.values():
            assert callable(load_callable(target, kind))


@pytest.mark.parametrize(("module", "cls", "protocol"), [
    ("tools.detect_yolox", "YoloxDetector", Detector),
    ("tools.detect_ultralytics", "UltralyticsDetector", Detector),
    ("tools.detect_yunet", "YuNetFaces", FaceDetector),
    ("tools.faces_haar", "HaarFaces", FaceDetector),
    ("tools.ocr_rapid", "RapidOCRReader", TextReader),
    ("tools.classify_efficientnet", "EfficientNetClassifier", Classifier),
    ("tools.vlm_transformers", "TransformersVLM", VisionLanguageModel),
])
def test_builtin_backends_have_their_protocols_methods(module, cls, protocol):
    import importlib

    backend = getattr(importlib.import_module(module), cls)
    members = [m for m in protocol.__protocol_attrs__ if not m.startswith("_")] if hasattr(
        protocol, "__protocol_attrs__") else [m for m in vars(protocol) if not m.startswith("_")]
    assert members
    for member in members:
        assert hasattr(backend, member), f"{cls} lacks {member}"


def test_offline_backends_load_through_the_registry():
    hub = ModelHub(Config().replace(**{"faces.backend": "haar"}))
    assert isinstance(hub.faces(), FaceDetector)
    assert hub.vqa() is None


def test_a_backend_name_given_as_the_detector_path_says_which_setting_chooses_a_backend(monkeypatch):
    from agent.config import env_overrides, load_config
    from agent.errors import ModelUnavailableError
    from tools.vision_loaders import ultralytics_detector

    monkeypatch.setenv("VISREASON_DETECTOR", "ensemble")  # meant as the backend, read as a weights path
    assert env_overrides({"VISREASON_DETECTOR": "ensemble"}) == {"detector.path": "ensemble"}
    with pytest.raises(ModelUnavailableError) as err:
        ultralytics_detector(load_config(), None)
    assert "detector.backend" in err.value.hint and "VISREASON_DETECTOR_BACKEND" in err.value.hint
