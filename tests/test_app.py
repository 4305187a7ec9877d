"""The chat app through its public API (gradio_client), with a stand-in reasoner.

One slow test runs the real Reasoner end to end.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from PIL import Image

from app import parse_args
from tests.agent.ui.app_server import ROOT, running_app
from tests.agent.ui.fake_reasoner import COLOURS


def _client(url: str) -> Client:
    # A loaded CI box can be slow to answer the config request: allow it.
    return Client(url, verbose=False, httpx_kwargs={"timeout": 120})


def _ask(client: Client, sid: str, text: str, files: list[str] = ()):
    message = {"text": text, "files": [handle_file(f) for f in files]}
    chat, gallery, box = client.predict(message, sid, api_name="/chat")
    return chat, gallery, box


def _text(msg: dict) -> str:
    content = msg["content"]
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def _image(tmp: Path, name: str, rgb) -> str:
    path = tmp / name
    Image.new("RGB", (48, 32), rgb).save(path)
    return str(path)


def _sid(client: Client) -> str:
    return client.predict(api_name="/new_session")


def test_defaults_are_safe(monkeypatch):
    monkeypatch.delenv("GRADIO_SERVER_NAME", raising=False)
    monkeypatch.setenv("VISREASON_APP_PORT", "7999")
    args = parse_args([])
    assert args.host == "127.0.0.1" and args.port == 7999
    assert not args.allow_free_paths and not args.auth and not args.allow_backend


def test_gradio_server_env_vars_set_host_and_port(monkeypatch):
    monkeypatch.delenv("VISREASON_APP_PORT", raising=False)
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7123")
    monkeypatch.setenv("GRADIO_SERVER_NAME", "::1")
    args = parse_args([])
    assert args.host == "::1" and args.port == 7123
    assert parse_args(["--port", "7001", "--host", "127.0.0.1"]).port == 7001


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_chat_endpoint_answers_streams_and_survives_restart(tmp_path):
    home = tmp_path / "home"
    red = _image(tmp_path, "red.png", (240, 10, 10))
    with running_app(home) as url:
        client = _client(url)
        api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
        assert set(api) == {"/chat", "/cancel", "/new_session"}  # the page's own handlers stay private
        sid = _sid(client)
        job = client.submit({"text": "what colour is it?", "files": [handle_file(red)]}, sid, api_name="/chat")
        updates = list(job)  # each yield of the handler is one streamed update
        chat, gallery, _ = job.result()
        assert len(updates) >= 3
        assert _text(chat[-1]).startswith("**Answer: red**")
        titles = [(m.get("metadata") or {}).get("title") or "" for m in chat]
        assert any(t.startswith("Program") for t in titles) and any(t.startswith("Step 1") for t in titles)
        assert gallery and Path(gallery[0]["image"]).exists()
        bad = tmp_path / "bad.png"
        bad.write_text("this is not a picture")
        chat, _, _ = _ask(client, sid, "and this?", [str(bad)])
        assert _text(chat[-1]).startswith("Error:") and "bad.png" in _text(chat[-1])
        assert "Traceback" not in (home / "app.log").read_text()
        # Only uploads, session images and the examples are served: not the repo, not the database.
        for private in (ROOT / "pyproject.toml", home / "sessions.sqlite", home / "ui_browser_secret"):
            assert private.exists() and _status(f"{url}gradio_api/file={private}") == 403, private
        assert _status(f"{url}gradio_api/file={home / 'ui_examples' / 'bus.jpg'}") == 200
    with running_app(home) as url:  # a restart keeps the conversation and its images
        chat, _, _ = _ask(_client(url), sid, "and again?")
        assert _text(chat[0]) == "" and _text(chat[-1]).startswith("**Answer: red**")
        assert sum(_text(m) == "what colour is it?" for m in chat) == 1


def test_twenty_concurrent_sessions_each_get_their_own_answer(tmp_path):
    names = list(COLOURS)
    jobs = []
    with running_app(tmp_path / "home", "tests.agent.ui.fake_reasoner:make_overlapping_fake", concurrency=8) as url:
        for i in range(20):
            colour = names[i % len(names)]
            jobs.append((colour, _sid(_client(url)), _image(tmp_path, f"{i}.png", COLOURS[colour])))
        results: dict[int, tuple[str, str]] = {}
        errors: list[BaseException] = []

        def session(i: int) -> None:
            colour, sid, path = jobs[i]
            try:
                client = _client(url)
                first, _, _ = _ask(client, sid, "what colour?", [path])
                follow, _, _ = _ask(client, sid, "and the colour again?")  # no image: must reuse its own
                results[i] = (_text(first[-1]), _text(follow[-1]))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=session, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    assert not errors, errors
    for i, (colour, _, _) in enumerate(jobs):
        assert all(r.startswith(f"**Answer: {colour}**") for r in results[i]), (i, colour, results[i])


@pytest.mark.slow
def test_real_reasoner_answers_through_the_api(tmp_path):
    from ultralytics.utils import ASSETS

    with running_app(tmp_path / "home", factory=None, timeout=300) as url:
        client = _client(url)
        chat, gallery, _ = _ask(client, _sid(client), "How many people are in the image?", [str(ASSETS / "bus.jpg")])
    answer = _text(chat[-1])
    assert answer.startswith("**Answer:"), [_text(m) for m in chat]
    assert any(((m.get("metadata") or {}).get("title") or "").startswith("Step ") for m in chat)


def test_cancel_stops_a_running_question(tmp_path):
    with running_app(tmp_path / "home", "tests.agent.ui.fake_reasoner:make_slow_fake") as url:
        client = _client(url)
        sid = _sid(client)
        job = client.submit({"text": "slow one", "files": [handle_file(_image(tmp_path, "k.png", (0, 0, 0)))]}, sid,
                            api_name="/chat")
        deadline = time.monotonic() + 60
        while len(job.outputs()) < 2 and time.monotonic() < deadline:  # wait until it is working
            time.sleep(0.2)
        assert client.predict(sid, api_name="/cancel") == "cancelled"  # a status, never the transcript
        deadline = time.monotonic() + 30
        while not job.done() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert job.done()
        chat, _, _ = _ask(client, sid, "still there?")  # the session keeps working after a cancel
        assert any(_text(m) == "Cancelled" for m in chat)
        assert _text(chat[-1]).startswith("**Answer: black**")


def test_llm_spec_picks_the_controller_and_a_bad_one_is_refused(monkeypatch, capsys):
    import agent.ui.app_builder as builder
    from app import main

    built = {}

    class Launched:
        def launch(self, host, port):
            built["launched"] = (host, port)

    def fake_build_app(config, **kw):
        built["config"] = config
        return Launched()

    monkeypatch.setattr(builder, "build_app", fake_build_app)
    monkeypatch.delenv("GRADIO_SERVER_NAME", raising=False)
    assert main(["--llm", "gguf:qwen2.5-coder-0.5b", "--port", "7002"]) == 0
    assert (built["config"].llm.backend, built["config"].llm.model) == ("gguf", "qwen2.5-coder-0.5b")
    assert built["launched"] == ("127.0.0.1", 7002)
    assert "share" not in capsys.readouterr().err.replace("no public share link", "")
    assert main(["--llm", "nonsense"]) == 2
    assert "bad LLM spec" in capsys.readouterr().err
