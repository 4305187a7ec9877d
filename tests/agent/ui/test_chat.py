import threading

import pytest
from PIL import Image

from agent.config import Config
from agent.errors import ModelUnavailableError
from agent.ui.chat import ChatController, ReasonerCache
from agent.ui.sessions import SessionStore
from tests.agent.ui.fake_reasoner import FakeReasoner


@pytest.fixture
def setup(tmp_path):
    store = SessionStore(tmp_path / "sessions", tmp_path / "db.sqlite")
    built = []

    def factory(cfg):
        built.append(cfg)
        return FakeReasoner(cfg)

    ctl = ChatController(Config(home=str(tmp_path)), store, ReasonerCache(factory))
    yield ctl, store, built, tmp_path
    store.close()


def _image(tmp_path, name, colour):
    p = tmp_path / name
    Image.new("RGB", (32, 24), colour).save(p)
    return str(p)


def _last(updates):
    return updates[-1][0]


def test_question_streams_and_persists(setup):
    ctl, store, built, tmp = setup
    sid = ctl.new_session()
    updates = list(ctl.respond({"text": "what colour?", "files": [_image(tmp, "r.png", (250, 5, 5))]}, sid))
    assert len(updates) >= 4  # streamed: user turn, status, program, step, ... answer
    chat = _last(updates)
    assert chat[0]["role"] == "user" and "path" in chat[0]["content"]
    assert chat[-1]["content"].startswith("**Answer: red**")
    assert any(m.get("metadata", {}).get("title", "").startswith("Step 1") for m in chat)
    gallery = updates[-1][1]
    assert len(gallery) == 1 and gallery[0][0].startswith(str(store.folder(sid)))
    saved = store.load(sid)
    assert saved.transcript == chat
    assert saved.history[0] == {"role": "user", "content": "what colour?"}


def test_follow_up_reuses_images_and_history(setup):
    ctl, store, built, tmp = setup
    sid = ctl.new_session()
    list(ctl.respond({"text": "colour?", "files": [_image(tmp, "g.png", (0, 160, 0))]}, sid))
    updates = list(ctl.respond({"text": "and now?", "files": []}, sid))
    assert _last(updates)[-1]["content"].startswith("**Answer: green**")
    reasoner = ctl.reasoners.get(Config(home=str(tmp)))
    second = reasoner.calls[-1]
    assert second["images"] == reasoner.calls[0]["images"]
    assert [m["role"] for m in second["history"]] == ["user", "assistant"]
    assert len(built) == 1  # one reasoner per config, not per question


def test_sessions_do_not_share_images(setup):
    ctl, store, built, tmp = setup
    a, b = ctl.new_session(), ctl.new_session()
    list(ctl.respond({"text": "c?", "files": [_image(tmp, "a.png", (0, 0, 255))]}, a))
    updates = list(ctl.respond({"text": "c?", "files": []}, b))
    assert "upload an image" in _last(updates)[-1]["content"]


def test_malformed_upload_becomes_a_chat_message(setup):
    ctl, store, built, tmp = setup
    bad = tmp / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    sid = ctl.new_session()
    updates = list(ctl.respond({"text": "hi", "files": [{"path": str(bad), "orig_name": "broken.png"}]}, sid))
    msg = _last(updates)[-1]["content"]
    assert msg.startswith("Error:") and "broken.png" in msg and "Traceback" not in msg


def test_reasoner_crash_gives_friendly_message(setup, caplog):
    ctl, store, built, tmp = setup

    class Boom(FakeReasoner):
        def stream(self, *a, **k):
            yield {"type": "status", "text": "starting"}
            raise RuntimeError("secret internals")

    ctl.reasoners = ReasonerCache(lambda cfg: Boom(cfg))
    sid = ctl.new_session()
    chat = _last(list(ctl.respond({"text": "q", "files": [_image(tmp, "x.png", (0, 0, 0))]}, sid)))
    assert "server log" in chat[-1]["content"] and "secret internals" not in chat[-1]["content"]
    assert "secret internals" in caplog.text


def test_backend_that_cannot_load_is_reported(setup):
    ctl, store, built, tmp = setup

    def factory(cfg):
        raise ModelUnavailableError("model qwen not installed")

    ctl.reasoners = ReasonerCache(factory)
    chat = _last(list(ctl.respond({"text": "q", "files": [_image(tmp, "x.png", (0, 0, 0))]}, ctl.new_session())))
    assert "model qwen not installed" in chat[-1]["content"]


def test_bad_settings_are_reported(setup):
    ctl, store, built, tmp = setup
    chat = _last(list(ctl.respond({"text": "q", "files": [_image(tmp, "x.png", (0, 0, 0))]}, ctl.new_session(),
                                  {"llm": "nonsense"})))
    assert chat[-1]["content"].startswith("Error:") and "nonsense" in chat[-1]["content"]


def test_settings_select_a_separately_cached_reasoner(setup):
    ctl, store, built, tmp = setup
    sid = ctl.new_session()
    img = _image(tmp, "x.png", (0, 0, 0))
    list(ctl.respond({"text": "q", "files": [img]}, sid, {"max_steps": 9}))
    list(ctl.respond({"text": "q", "files": []}, sid, {"max_steps": 9}))
    list(ctl.respond({"text": "q", "files": []}, sid, {"max_steps": 10}))
    assert [c.budgets.max_steps for c in built] == [9, 10]


def test_cancel_stops_a_running_question(setup):
    ctl, store, built, tmp = setup
    ctl.reasoners = ReasonerCache(lambda cfg: FakeReasoner(cfg, delay=30.0))
    sid = ctl.new_session()
    gen = ctl.respond({"text": "q", "files": [_image(tmp, "x.png", (0, 0, 0))]}, sid)
    next(gen)  # user turn shown
    next(gen)  # status
    next(gen)  # program; the reasoner now sleeps until cancelled
    rest = []
    t = threading.Thread(target=lambda: rest.extend(gen))
    t.start()
    assert ctl.cancel(sid) == "cancelled"
    t.join(timeout=10)
    assert not t.is_alive()
    chat, _ = ctl.restore(sid)
    assert chat[-1]["content"].startswith("Cancelled")
    assert store.load(sid).history[-1] == {"role": "assistant", "content": "(Cancelled)"}
    assert sum(m["content"].startswith("Cancelled") for m in store.load(sid).transcript if isinstance(m["content"], str)) == 1


def test_invalid_session_id_is_refused(setup):
    ctl, *_ = setup
    chat = _last(list(ctl.respond({"text": "q", "files": []}, "../../etc")))
    assert "session" in chat[0]["content"]


def test_abandoned_stream_stops_the_reasoner_and_is_saved(setup):
    ctl, store, built, tmp = setup
    ctl.reasoners = ReasonerCache(lambda cfg: FakeReasoner(cfg, delay=30.0))
    sid = ctl.new_session()
    gen = ctl.respond({"text": "q", "files": [_image(tmp, "x.png", (0, 0, 0))]}, sid)
    next(gen)
    next(gen)
    gen.close()  # what Gradio does when the browser disconnects
    saved = store.load(sid)
    assert saved.transcript[-1]["content"] == "Interrupted"
    assert saved.history[-1] == {"role": "assistant", "content": "(Interrupted)"}
