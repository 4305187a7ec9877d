"""Issue 9, item 1: an uploaded pickle named as detector weights must never be loaded.

The payload is harmless: unpickling it creates a directory in tmp_path. The attack is the one
reproduced on main: upload ``evil.pt`` through Gradio's upload route, then ask ``/chat`` with the
ultralytics detector and that path as its weights.
"""

from __future__ import annotations

import os

import httpx
import pytest
import torch
from gradio_client import Client, handle_file

from agent.config import Config
from agent.ui.policy import AppPolicy
from tests.agent.ui.app_server import chat_by_label, chat_labels, message_text, running_app, session_for
from tests.agent.ui.controller_kit import Kit
from tests.agent.ui.fake_reasoner import make_detector_fake


class Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def evil_checkpoint(tmp_path) -> tuple[str, str]:
    marker = str(tmp_path / "pwned")
    path = tmp_path / "evil.pt"
    torch.save({"model": Payload(marker)}, path)
    return str(path), marker


def _operator_config(tmp_path) -> Config:
    # The operator runs the ultralytics detector with a bundled architecture (random weights, nothing to fetch).
    return Config(home=str(tmp_path / "home")).replace(**{"detector.backend": "ultralytics",
                                                           "detector.path": "yolo11n.yaml"})


@pytest.mark.parametrize("free_paths", [False, True])
def test_chat_refuses_a_visitor_named_pickle(tmp_path, free_paths):
    evil, marker = evil_checkpoint(tmp_path)
    base = _operator_config(tmp_path)
    kit = Kit(tmp_path, base, AppPolicy.from_config(base, free_paths=free_paths), make_detector_fake)
    try:
        reply = kit.ask({"detector_backend": "ultralytics", "detector_path": evil})
    finally:
        kit.close()
    assert not os.path.exists(marker), "the pickle ran"
    assert reply.startswith("Error:") and "Detector weights" in reply and "Traceback" not in reply
    assert all(cfg.detector.path != evil for cfg in kit.built)


def test_operator_weights_and_bundled_yaml_still_work(tmp_path):
    base = _operator_config(tmp_path)
    kit = Kit(tmp_path, base, AppPolicy.from_config(base, free_paths=True), make_detector_fake)
    try:
        assert kit.ask({"detector_backend": "ultralytics", "detector_path": "yolo11n.yaml"}).startswith("**Answer:")
        assert kit.ask({"detector_backend": "yolox"}).startswith("**Answer:")
    finally:
        kit.close()


@pytest.mark.parametrize("flags", [[], ["--allow-free-paths"]], ids=["default", "free-paths"])
def test_uploaded_pickle_through_the_api_is_not_loaded(tmp_path, flags):
    evil, marker = evil_checkpoint(tmp_path)
    img = tmp_path / "k.png"
    from PIL import Image

    Image.new("RGB", (40, 30), (200, 0, 0)).save(img)
    args = [*flags, "--set", "detector.backend=ultralytics", "--set", "detector.path=yolo11n.yaml"]
    with running_app(tmp_path / "home", "tests.agent.ui.fake_reasoner:make_detector_fake", args=args) as url:
        with open(evil, "rb") as fh:  # the raw upload route accepts any file and answers with its server path
            uploaded = httpx.post(f"{url}gradio_api/upload", files={"files": ("evil.pt", fh)}, timeout=60).json()[0]
        client = Client(url, verbose=False, httpx_kwargs={"timeout": 120})
        if not flags and "Detector weights" not in chat_labels(client):
            return  # by default the setting does not exist at all: nothing to attack
        sid = session_for(client)
        chat, _, _ = chat_by_label(client, {"text": "what colour?", "files": [handle_file(str(img))]}, sid,
                                   {"Detector": "ultralytics", "Detector weights": uploaded})
    last = message_text(chat[-1])
    assert not os.path.exists(marker), "the uploaded pickle ran on the server"
    assert last.startswith("Error:") and "Detector weights" in last
