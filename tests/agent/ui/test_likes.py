"""A thumbs-up on an answer teaches the program memory, only when the operator allows it."""

from __future__ import annotations

import pytest
from PIL import Image

from agent.config import Config
from agent.ui.chat import ChatController, ReasonerCache
from agent.ui.sessions import SessionStore
from tests.agent.ui.fake_reasoner import FakeReasoner


class LearningReasoner(FakeReasoner):
    def __init__(self, config=None, **kw):
        super().__init__(config, **kw)
        self.learned = []

    def learn(self, answer, *, source="learned"):
        self.learned.append((answer.question, answer.program, source))
        return "t0123456789"


@pytest.fixture
def app(tmp_path):
    store = SessionStore(tmp_path / "sessions", tmp_path / "db.sqlite")
    made = []

    def factory(cfg):
        made.append(LearningReasoner(cfg))
        return made[-1]

    def controller(allowed: bool) -> ChatController:
        return ChatController(Config(home=str(tmp_path)), store, ReasonerCache(factory), learn_from_likes=allowed)

    yield controller, made, tmp_path
    store.close()


def _ask(ctl, tmp_path, text="what colour?"):
    sid = ctl.new_session()
    path = tmp_path / "r.png"
    Image.new("RGB", (32, 24), (250, 5, 5)).save(path)
    chat = list(ctl.respond({"text": text, "files": [str(path)]}, sid))[-1][0]
    answer_index = next(i for i, m in enumerate(chat) if str(m.get("content", "")).startswith("**Answer:"))
    return sid, chat, answer_index


def test_a_like_on_an_answer_teaches_its_program(app):
    controller, made, tmp = app
    ctl = controller(True)
    sid, chat, index = _ask(ctl, tmp)
    reply = ctl.like(sid, index, True)
    assert reply.startswith("Learned:") and "t0123456789" in reply
    assert made[0].learned == [("what colour?", "COLOR0=COLOR(image=IMAGE)\nFINAL_RESULT=RESULT(var=COLOR0)", "app")]


def test_likes_teach_nothing_unless_the_operator_allows_it(app):
    controller, made, tmp = app
    ctl = controller(False)
    sid, chat, index = _ask(ctl, tmp)
    assert "does not learn from likes" in ctl.like(sid, index, True)
    assert made[0].learned == []


def test_only_an_answer_of_this_session_can_be_liked(app):
    controller, made, tmp = app
    ctl = controller(True)
    sid, chat, index = _ask(ctl, tmp)
    other = ctl.new_session()
    assert "Only the answer" in ctl.like(other, index, True)  # another visitor's session
    assert "Only the answer" in ctl.like(sid, 0, True)  # the user's own message, not an answer
    assert ctl.like("forged-session-id", index, True) == "refused"
    assert "teaches nothing" in ctl.like(sid, index, False)
    assert made[0].learned == []
