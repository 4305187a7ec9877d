"""The side-panel registry (agent/ui/panels.py): registration, typed errors, events reaching a panel."""

from __future__ import annotations

import pytest
from PIL import Image

from agent import events
from agent.config import Config
from agent.errors import ConfigError
from agent.ui import panels as panels_mod
from agent.ui.app_builder import build_app
from agent.ui.panels import GALLERY, PANELS, Panel, PanelError, PanelView, check, select, with_panels
from agent.ui.render import TurnView
from tests.agent.ui.fake_reasoner import make_fake


def _kinds(view: PanelView) -> str:
    return " ".join(e.kind for e in view.events)


EVENT_LOG = Panel("event_log", lambda gr: gr.Textbox(label="Events", elem_id="vr-test-events"), _kinds)


def _chat_fn(app):
    fns = app.demo.fns.values() if isinstance(app.demo.fns, dict) else app.demo.fns
    return next(f for f in fns if f.api_name == "chat")


def _image(tmp_path, colour) -> str:
    path = tmp_path / "photo.png"
    Image.new("RGB", (32, 24), colour).save(path)
    return str(path)


def test_builtin_panels_are_registered_and_keep_the_gallery_id(tmp_path):
    assert [p.name for p in PANELS] == ["gallery"] and select() == [GALLERY]
    app = build_app(Config(home=str(tmp_path)), reasoner_factory=make_fake)
    try:
        outputs = _chat_fn(app).outputs
        assert [getattr(o, "elem_id", None) for o in outputs] == ["vr-chat", "vr-gallery", "vr-input"]
    finally:
        app.controller.store.close()


def test_unknown_and_duplicate_panels_are_typed_errors():
    with pytest.raises(PanelError, match="unknown panel"):
        select(["gallery", "no_such_panel"])
    with pytest.raises(PanelError, match="named twice"):
        select(["gallery", "gallery"])
    with pytest.raises(PanelError, match="registered twice"):
        check([GALLERY, Panel("gallery", GALLERY.build, GALLERY.value)])
    assert issubclass(PanelError, ConfigError)


def test_a_panel_added_by_one_registration_line_is_built_and_receives_the_events(tmp_path, monkeypatch):
    monkeypatch.setattr(panels_mod, "PANELS", [*PANELS, EVENT_LOG])  # the one registration line
    app = build_app(Config(home=str(tmp_path)), reasoner_factory=make_fake)
    try:
        chat_fn = _chat_fn(app)
        assert [getattr(o, "elem_id", None) for o in chat_fn.outputs] == [
            "vr-chat", "vr-gallery", "vr-test-events", "vr-input"]
        sid = app.controller.new_session()
        message = {"text": "what colour is it?", "files": [_image(tmp_path, (250, 5, 5))]}
        defaults = [w.value for w in chat_fn.inputs[2:]]  # the settings widgets, as the page sends them
        updates = list(chat_fn.fn(None, message, sid, *defaults))
        chat, gallery, log, box = updates[-1]
        assert chat[-1]["content"].startswith("**Answer: red**")
        assert len(gallery) == 1 and box == {"text": "", "files": []}
        kinds = log.split()
        assert kinds[0] == "status" and "program" in kinds and "step" in kinds and kinds[-1] == "answer"
        assert updates[0][2] == "", "the first update (the user's turn) comes before any event"
    finally:
        app.controller.store.close()


def test_panels_can_be_chosen_by_name(tmp_path, monkeypatch):
    monkeypatch.setattr(panels_mod, "PANELS", [*PANELS, EVENT_LOG])
    app = build_app(Config(home=str(tmp_path)), reasoner_factory=make_fake, panels=["event_log"])
    try:
        assert [getattr(o, "elem_id", None) for o in _chat_fn(app).outputs] == ["vr-chat", "vr-test-events", "vr-input"]
    finally:
        app.controller.store.close()
    with pytest.raises(PanelError):
        build_app(Config(home=str(tmp_path / "b")), reasoner_factory=make_fake, panels=["nope"])


def _controller_like(view: TurnView, stream: list[dict], closed: list[bool]):
    """A stand-in for ChatController.respond: feeds a TurnView and yields (chat, gallery, box)."""
    try:
        yield [], [], {}
        for ev in stream:
            view.feed(ev)
            yield list(view.messages), [], {}
    finally:
        closed.append(True)


def test_with_panels_sees_only_its_own_stream_and_closes_it():
    stream = [events.Status("planning").to_dict(), {"type": "from_a_newer_version"},
              events.Program("X=1", 1).to_dict()]
    closed: list[bool] = []
    out = list(with_panels(_controller_like(TurnView(), stream, closed), [EVENT_LOG]))
    assert [u[1] for u in out] == ["", "status", "status", "status program"]
    assert closed == [True]
    other = TurnView()
    other.feed(events.Status("elsewhere").to_dict())  # fed outside with_panels: reaches no panel
    gen = with_panels(_controller_like(TurnView(), stream, closed), [EVENT_LOG])
    next(gen)
    gen.close()  # a cancelled question: the controller's stream is closed too (it saves what it has)
    assert closed == [True, True]


def test_a_registered_panel_gets_its_events_through_the_served_api(tmp_path, monkeypatch):
    """Gradio steps the handler on its worker threads: the events must still reach the panel."""
    from gradio_client import Client, handle_file

    from tests.agent.ui.app_server import free_port

    monkeypatch.setattr(panels_mod, "PANELS", [*PANELS, EVENT_LOG])
    app = build_app(Config(home=str(tmp_path)), reasoner_factory=make_fake)
    port = free_port()
    app.launch(port=port, prevent_thread_lock=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, httpx_kwargs={"timeout": 120})
        sid = client.predict(api_name="/new_session")
        chat, gallery, log, box = client.predict({"text": "colour?", "files": [handle_file(_image(tmp_path, (0, 0, 250)))]},
                                                 sid, api_name="/chat")
        assert "Answer: blue" in str(chat[-1]["content"]) and len(gallery) == 1
        assert log.split()[0] == "status" and log.split()[-1] == "answer" and "step" in log.split()
    finally:
        app.demo.close()
        app.controller.store.close()
