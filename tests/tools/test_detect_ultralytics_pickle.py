"""Issue 9, item 1 (library side): .pt weights load with weights_only=True, so a pickle payload never runs.

ultralytics' own default (weights_only=False) runs the payload; the detector forces ultralytics'
restricted loader for every .pt, even one the operator configured.
"""

from __future__ import annotations

import os

import pytest
import torch

from agent.errors import ModelUnavailableError
from tools.detect_ultralytics import UltralyticsDetector


class Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_a_pickle_payload_in_pt_weights_is_refused_and_never_runs(tmp_path):
    marker = str(tmp_path / "pwned")
    evil = tmp_path / "best.pt"
    torch.save({"model": Payload(marker)}, evil)
    with pytest.raises(ModelUnavailableError, match="refused"):
        UltralyticsDetector(str(evil))
    assert not os.path.exists(marker)


def test_the_restricted_loading_is_switched_back_off(tmp_path):
    from ultralytics.nn import tasks

    before = tasks.SAFE_LOAD
    evil = tmp_path / "x.pt"
    torch.save({"model": Payload(str(tmp_path / "m"))}, evil)
    with pytest.raises(ModelUnavailableError):
        UltralyticsDetector(str(evil))
    assert tasks.SAFE_LOAD == before


@pytest.mark.slow
def test_a_genuine_ultralytics_checkpoint_still_loads(tmp_path):
    from ultralytics import YOLO

    good = tmp_path / "yolo11n-random.pt"
    YOLO("yolo11n.yaml").save(str(good))  # random weights, saved the way ultralytics saves checkpoints
    detector = UltralyticsDetector(str(good))
    assert len(detector.vocabulary) == 80 and detector.source == "ultralytics:yolo11n-random.pt"
