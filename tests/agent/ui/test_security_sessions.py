"""Issue 9, item 8: session ids are server-issued and unguessable; /cancel returns only a status."""

from __future__ import annotations

import threading
import time

from gradio_client import Client, handle_file
from PIL import Image

from agent.ui.sessions import SessionIds, new_session_id
from tests.agent.ui.app_server import message_text, running_app
from tests.agent.ui.controller_kit import Kit
from tests.agent.ui.fake_reasoner import FakeReasoner

FORGED = ["0" * 32, "0" * 64, "f" * 64, new_session_id()]


def test_ids_the_server_did_not_issue_are_refused(tmp_path):
    kit = Kit(tmp_path)
    try:
        for sid in FORGED:
            reply = kit.ask(sid=sid)
            assert reply.startswith("Error:") and "not issued" in reply, (sid, reply)
            if len(sid) == 64:
                assert kit.store.load(sid).transcript == []
        assert not kit.built  # nothing ran for a forged id
        assert kit.ask().startswith("**Answer:")  # an issued one works
    finally:
        kit.close()


def test_issued_ids_are_unguessable_and_bound_to_the_login():
    ids = SessionIds(b"k" * 32)
    issued = {ids.issue() for _ in range(200)}
    assert len(issued) == 200 and all(ids.issued(s) for s in issued)
    sid = ids.issue("alice")
    assert ids.issued(sid, "alice") and not ids.issued(sid, "bob") and not ids.issued(sid)
    assert not SessionIds(b"other-secret-1234").issued(sid, "alice")  # another server's id
    tampered = sid[:-1] + ("0" if sid[-1] != "0" else "1")
    assert not ids.issued(tampered, "alice")


def test_cancel_returns_a_status_not_the_transcript(tmp_path):
    kit = Kit(tmp_path, factory=lambda cfg: FakeReasoner(cfg, delay=30.0))
    ctl = kit.ctl
    try:
        sid = ctl.new_session()
        assert ctl.cancel(sid) == "idle"
        assert ctl.cancel("0" * 64) == "refused"
        gen = ctl.respond({"text": "private question", "files": [kit.image()]}, sid)
        next(gen), next(gen), next(gen)
        rest: list = []
        t = threading.Thread(target=lambda: rest.extend(gen))
        t.start()
        status = ctl.cancel(sid)
        t.join(timeout=10)
        assert status == "cancelled" and "private question" not in repr(status)
    finally:
        kit.close()


def test_the_api_refuses_forged_ids_and_cancel_leaks_nothing(tmp_path):
    img = tmp_path / "k.png"
    Image.new("RGB", (40, 30), (0, 0, 0)).save(img)
    with running_app(tmp_path / "home", "tests.agent.ui.fake_reasoner:make_slow_fake") as url:
        client = Client(url, verbose=False, httpx_kwargs={"timeout": 120})
        chat, _, _ = client.predict({"text": "hello", "files": [handle_file(str(img))]}, "0" * 32, api_name="/chat")
        assert message_text(chat[-1]).startswith("Error:") and len(chat) == 1
        victim = Client(url, verbose=False, httpx_kwargs={"timeout": 120})
        sid = victim.predict(api_name="/new_session")
        job = victim.submit({"text": "my secret question", "files": [handle_file(str(img))]}, sid, api_name="/chat")
        deadline = time.monotonic() + 60
        while len(job.outputs()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        result = client.predict(sid, api_name="/cancel")  # whoever knows the id learns only a status
        assert result == "cancelled"
        assert client.predict("0" * 64, api_name="/cancel") == "refused"
