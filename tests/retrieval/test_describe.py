import numpy as np
import pytest
from PIL import Image

from agent.config import Config
from agent.errors import ModelUnavailableError
from retrieval.describe import ToolDescriber, caption_only
from tools.types import Detections


class FakeHub:
    def detector(self):
        class D:
            def detect(self, img):
                return Detections(np.array([[0, 0, 4, 4], [1, 1, 3, 3]]), np.array([0.9, 0.8]), ("bus", "person"),
                                  img.size)
        return D()

    def classifier(self):
        class C:
            def classify(self, img, k):
                return [("minibus", 0.6), ("trolleybus", 0.2)][:k]
        return C()

    def ocr(self):
        raise ModelUnavailableError("no OCR here")


def test_tool_describer_combines_tools_and_survives_missing_ones():
    text = ToolDescriber(Config(), hub=FakeHub())(Image.new("RGB", (8, 8), (30, 60, 210)), "route 27")
    assert "Caption: route 27" in text and "1 bus (blue), 1 person (blue)" in text and "minibus" in text
    assert "text in image unavailable: ModelUnavailableError" in text and "blue" in text


def test_caption_only():
    assert caption_only(Image.new("RGB", (4, 4), (200, 30, 30)), "x") == "Caption: x Main colours: red."


@pytest.mark.slow
def test_real_tools_on_a_small_photo():
    from ultralytics.utils import ASSETS

    img = Image.open(ASSETS / "bus.jpg").convert("RGB")
    img.thumbnail((320, 320))
    text = ToolDescriber(Config(), use_ocr=False)(img)
    assert "Objects:" in text and ("bus" in text or "person" in text), text
    assert "Looks like:" in text
