"""The retrieval-action registry: ACTIONS, the decide schema and the decider prompt come from it; one line adds an action."""

import pytest
from PIL import Image

from retrieval import actions
from retrieval.action_handlers import RetrievalAction
from retrieval.types import Hit


class _KB:
    def __init__(self):
        self.calls = []

    def search_text(self, query, k=5):
        self.calls.append(("text", query, k))
        return [Hit("K1", "a.md", "text", "x", 1.0)]

    def search_image(self, img, k=5):
        self.calls.append(("image", img.size, k))
        return []

    def search_images_by_text(self, query, k=5):
        self.calls.append(("images_by_text", query, k))
        return []


MARKER = RetrievalAction(lambda r: [Hit("K9", "m", "text", r.query.upper(), 0.5)], "a test action")


def test_schema_and_prompt_come_from_the_registry():
    from retrieval.prompts import SYSTEM

    assert actions.ACTIONS == tuple(actions.REGISTRY)
    assert actions.DECISION_SCHEMA["properties"]["action"]["enum"] == [*actions.ACTIONS, actions.STOP]
    for name in actions.ACTIONS:
        assert f"{name} ({actions.action(name).doc})" in SYSTEM


def test_execute_dispatches_by_name():
    kb = _KB()
    d = actions.parse_decision('{"action": "text_search", "query": "ferry price", "focus": ""}', "q", has_image=False)
    assert [h.id for h in actions.execute(d, kb, None, k=3)] == ["K1"] and kb.calls == [("text", "ferry price", 3)]
    img = Image.new("RGB", (40, 30))
    d = actions.parse_decision('{"action": "image_search", "query": "boat", "focus": "boat"}', "q", has_image=True)
    assert d.focus == "boat"
    actions.execute(d, kb, img, k=2, locate=lambda image, label: (0, 0, 20, 10))
    assert kb.calls[-1] == ("image", (20, 10), 2)  # cropped to the focused object's box


def test_image_actions_fall_back_to_text_without_a_photo():
    d = actions.parse_decision('{"action": "image_search", "query": "boat", "focus": "boat"}', "q", has_image=False)
    assert (d.action, d.valid) == ("text_search", False)
    d = actions.parse_decision('{"action": "image_search_by_text", "query": "red", "focus": "x"}', "q", has_image=True)
    assert d.focus == ""  # only actions with uses_focus keep it


def test_one_registration_line_adds_an_action(monkeypatch):
    monkeypatch.setitem(actions.REGISTRY, "marker", f"{__name__}:MARKER")
    monkeypatch.setattr(actions, "ACTIONS", tuple(actions.REGISTRY))
    actions.action.cache_clear()
    try:
        d = actions.parse_decision('{"action": "marker", "query": "abc", "focus": ""}', "q", has_image=False)
        assert d.action == "marker" and [h.text for h in actions.execute(d, _KB(), None)] == ["ABC"]
        assert "marker (a test action)" in actions.action_docs()
    finally:
        actions.action.cache_clear()


def test_unregistered_names_are_refused():
    d = actions.parse_decision('{"action": "delete_everything", "query": "x", "focus": ""}', "q", has_image=True)
    assert (d.action, d.valid) == ("text_search", False)
    with pytest.raises(ValueError, match="not one of"):
        actions.action("delete_everything")
