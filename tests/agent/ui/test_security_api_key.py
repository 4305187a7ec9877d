"""Issue 9, item 2: the server's API key goes only to the endpoint the operator configured.

A loopback listener plays the caller's server. With ``OPENAI_API_KEY=sk-canary`` set for the
server, a visitor pointing the openai backend at the listener must never make the canary arrive.
"""

from __future__ import annotations

import pytest
from gradio_client import Client, handle_file
from PIL import Image

from agent.ui.policy import AppPolicy
from tests.agent.ui.app_server import chat_by_label, chat_labels, message_text, running_app, session_for
from tests.agent.ui.capture_server import CaptureServer
from tests.agent.ui.controller_kit import Kit
from tests.agent.ui.fake_reasoner import make_llm_fake

CANARY = "sk-canary-3f9b1c"


def test_default_server_refuses_a_visitor_url_and_sends_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    with CaptureServer() as listener:
        kit = Kit(tmp_path, factory=make_llm_fake)
        try:
            replies = [kit.ask({"llm_backend": "openai", "llm_base_url": f"{listener.url}/v1"}),  # the old form
                       kit.ask({"llm_base_url": f"{listener.url}/v1"})]
        finally:
            kit.close()
    assert not listener.requests
    assert all(r.startswith("Error:") for r in replies), replies


def test_free_paths_never_send_the_server_key_to_a_visitor_url(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("VISREASON_LLM_API_KEY", CANARY)
    with CaptureServer() as listener:
        kit = Kit(tmp_path, factory=make_llm_fake)
        kit.ctl.policy = AppPolicy.from_config(kit.base, allow_backends=["openai:m@http://127.0.0.1:9/v1"],
                                               free_paths=True)
        try:
            reply = kit.ask({"llm": "openai:m", "llm_base_url": f"{listener.url}/v1"})
        finally:
            kit.close()
    assert listener.requests, "the visitor's URL was never called: the test proves nothing"
    assert not listener.saw(CANARY)
    assert listener.requests[0].headers["authorization"] == "Bearer none"
    assert reply.startswith("**Answer:")


def test_the_operator_endpoint_does_get_the_key(tmp_path, monkeypatch):
    # Control: the listener can see the canary when the operator chose that endpoint.
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    with CaptureServer() as listener:
        kit = Kit(tmp_path, factory=make_llm_fake)
        kit.ctl.policy = AppPolicy.from_config(kit.base, allow_backends=[f"openai:m@{listener.url}/v1"])
        try:
            reply = kit.ask({"llm": "openai:m"})
        finally:
            kit.close()
    assert reply.startswith("**Answer:") and listener.saw(CANARY)


@pytest.mark.parametrize("flags", [[], ["--allow-free-paths"]], ids=["default", "free-paths"])
def test_api_key_capture_through_the_app(tmp_path, flags):
    img = tmp_path / "k.png"
    Image.new("RGB", (40, 30), (0, 0, 250)).save(img)
    with CaptureServer() as listener:
        args = [*flags, "--allow-backend", "openai:m@http://127.0.0.1:9/v1"] if flags else []
        with running_app(tmp_path / "home", "tests.agent.ui.fake_reasoner:make_llm_fake", args=args,
                         env={"OPENAI_API_KEY": CANARY}) as url:
            client = Client(url, verbose=False, httpx_kwargs={"timeout": 120})
            labels = chat_labels(client)
            if "OpenAI-compatible base URL" not in labels:
                assert not flags
                return  # by default no visitor can name a URL at all
            backend = {"LLM": "openai:m"} if "LLM" in labels else {"LLM backend": "openai"}
            chat, _, _ = chat_by_label(client, {"text": "colour?", "files": [handle_file(str(img))]},
                                       session_for(client),
                                       {**backend, "OpenAI-compatible base URL": f"{listener.url}/v1"})
    assert listener.requests and not listener.saw(CANARY)
    assert message_text(chat[-1]).startswith("**Answer: blue**")
