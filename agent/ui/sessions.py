"""Chat sessions persisted with LangGraph's SQLite checkpointer.

A session is a LangGraph thread (``thread_id`` = a server-issued id the browser keeps: 128 random
bits and a MAC of them under the server's secret, see ``SessionIds``; an id the server never issued,
such as ``'0' * 64``, is refused).
Its state holds the rendered chat transcript, the plain question/answer history handed
back to the reasoner, the session's image files and the gallery. A tiny one-node graph
with append-reducers does the bookkeeping, so an app restart restores every conversation
and one session can never read another's images or history (ids are unguessable and are
validated before they touch the filesystem). A session's folder is named by a hash of its id, so
the image URLs a page shows do not reveal the id.
"""

from __future__ import annotations

import hashlib
import hmac
import operator
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypedDict

from agent.errors import InputError

_SESSION_ID = re.compile(r"^[0-9a-f]{64}$")


class SessionState(TypedDict, total=False):
    transcript: Annotated[list[dict], operator.add]  # rendered chat messages (role/content/metadata)
    history: Annotated[list[dict], operator.add]  # plain {"role", "content"} turns for the reasoner
    image_paths: list[str]  # the images follow-up questions use: the latest upload (last write wins)
    gallery: Annotated[list[list[str]], operator.add]  # [path, caption] of step images


@dataclass
class Session:
    session_id: str
    transcript: list[dict] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    image_paths: list[str] = field(default_factory=list)
    gallery: list[list[str]] = field(default_factory=list)


def new_session_id() -> str:
    """A well-formed random id (storage level); the app hands out ``SessionIds.issue()`` ids."""
    return secrets.token_hex(32)


def valid_session_id(session_id: Any) -> bool:
    """Well-formed (safe as a thread id and folder key); says nothing about who issued it."""
    return isinstance(session_id, str) and bool(_SESSION_ID.match(session_id))


class SessionIds:
    """Issues session ids and recognises its own: ``nonce (32 hex) + HMAC(secret, nonce, user) (32 hex)``.

    Stateless, so ids survive a restart with the same secret. With logins, an id is bound to the
    user it was issued to: another user holding it is refused.
    """

    def __init__(self, secret: str | bytes) -> None:
        self._key = secret.encode() if isinstance(secret, str) else bytes(secret)
        if len(self._key) < 16:
            raise InputError("the session secret must be at least 16 bytes")

    def _mac(self, nonce: str, user: str | None) -> str:
        return hmac.new(self._key, f"{nonce}\0{user or ''}".encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, user: str | None = None) -> str:
        nonce = secrets.token_hex(16)
        return nonce + self._mac(nonce, user)

    def issued(self, session_id: Any, user: str | None = None) -> bool:
        if not valid_session_id(session_id):
            return False
        return hmac.compare_digest(session_id[32:], self._mac(session_id[:32], user))


def _record(state: SessionState) -> dict:
    return {}  # the reducers already merged the update; the node only marks a checkpoint


def build_session_graph(checkpointer: Any):
    from langgraph.graph import END, START, StateGraph

    builder = StateGraph(SessionState)
    builder.add_node("record", _record)
    builder.add_edge(START, "record")
    builder.add_edge("record", END)
    return builder.compile(checkpointer=checkpointer)


class SessionStore:
    """Sessions in the SQLite file ``db_path``; their images under ``root/<session_id>/``.

    The database lives outside ``root`` because ``root`` is served to browsers (a
    session's own image URLs contain its unguessable id) and the database must not be.
    """

    def __init__(self, root: Path, db_path: Path | None = None) -> None:
        from langgraph.checkpoint.sqlite import SqliteSaver

        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db_path = Path(db_path) if db_path else self.root.parent / f"{self.root.name}.sqlite"
        if self.db_path.resolve().is_relative_to(self.root.resolve()):
            raise InputError(f"{self.db_path}: the session database must not be inside the served folder {self.root}")
        # One connection shared by Gradio's worker threads; SqliteSaver serialises access.
        self._conn = sqlite3.connect(str(self.db_path), check_same_thread=False)
        self._saver = SqliteSaver(self._conn)
        self._saver.setup()
        self.graph = build_session_graph(self._saver)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def _check(self, session_id: str) -> str:
        if not valid_session_id(session_id):
            raise InputError("invalid session id", hint="a session id is 64 lowercase hex characters")
        return session_id

    def lock(self, session_id: str) -> threading.Lock:
        """Serialises writes to one session; different sessions write in parallel."""
        with self._locks_guard:
            return self._locks.setdefault(self._check(session_id), threading.Lock())

    def folder(self, session_id: str) -> Path:
        digest = hashlib.sha256(b"visreason-session-folder\0" + self._check(session_id).encode()).hexdigest()
        return self.root / digest[:32]

    def _config(self, session_id: str) -> dict:
        return {"configurable": {"thread_id": self._check(session_id)}}

    def load(self, session_id: str) -> Session:
        values = self.graph.get_state(self._config(session_id)).values or {}
        return Session(session_id=session_id,
                       transcript=list(values.get("transcript", [])),
                       history=list(values.get("history", [])),
                       image_paths=list(values.get("image_paths", [])),
                       gallery=[list(g) for g in values.get("gallery", [])])

    def append(self, session_id: str, *, transcript: list[dict] | None = None, history: list[dict] | None = None,
               image_paths: list[str] | None = None, gallery: list[list[str]] | None = None) -> None:
        update: dict[str, list] = {}
        if transcript:
            update["transcript"] = transcript
        if history:
            update["history"] = history
        if image_paths:
            update["image_paths"] = [str(p) for p in image_paths]
        if gallery:
            update["gallery"] = [[str(p), str(c)] for p, c in gallery]
        if update:
            with self.lock(session_id):  # two writers on one thread must not fork its checkpoints
                self.graph.invoke(update, self._config(session_id))
