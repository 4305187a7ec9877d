"""A ChatController over a temporary store, for the security tests of the chat layer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from agent.config import Config
from agent.ui.chat import ChatController, ReasonerCache
from agent.ui.policy import AppPolicy
from agent.ui.sessions import SessionStore
from tests.agent.ui.fake_reasoner import FakeReasoner


class Kit:
    def __init__(self, tmp: Path, base: Config | None = None, policy: AppPolicy | None = None,
                 factory: Callable[[Config], Any] = FakeReasoner) -> None:
        self.tmp = tmp
        self.base = base or Config(home=str(tmp / "home"))
        self.built: list[Config] = []

        def record(cfg: Config) -> Any:
            self.built.append(cfg)
            return factory(cfg)

        self.store = SessionStore(tmp / "sessions", tmp / "sessions.sqlite")
        self.ctl = ChatController(self.base, self.store, ReasonerCache(record),
                                  policy=policy or AppPolicy.from_config(self.base))

    def image(self, name: str = "x.png", colour=(10, 10, 10)) -> str:
        path = self.tmp / name
        Image.new("RGB", (32, 24), colour).save(path)
        return str(path)

    def ask(self, settings: dict | None = None, sid: str | None = None, user: str | None = None,
            text: str = "what colour?") -> str:
        """The last chat message's text after asking with a fresh image."""
        sid = sid or self.ctl.new_session(user)
        updates = list(self.ctl.respond({"text": text, "files": [self.image()]}, sid, settings, user))
        return str(updates[-1][0][-1]["content"])

    def close(self) -> None:
        self.store.close()
