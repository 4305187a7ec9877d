"""The chat handler: one question in, a stream of rendered chat updates out.

Gradio-free on purpose (plain dicts and lists), so it is unit-testable with a stand-in
reasoner. The session store is the source of truth for the transcript: the browser only
sends its session id, never its history, so one session cannot inject or read another's.
Session ids are issued by the server (``SessionIds``); an id it did not issue (to this user, when
there are logins) is refused. Visitors' settings go through the operator's ``AppPolicy``.
"""

from __future__ import annotations

import copy
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.config import Config
from agent.errors import ImageError, InputError, VisreasonError
from agent.ui.policy import AppPolicy
from agent.ui.render import TurnView, esc, user_messages
from agent.ui.sessions import SessionIds, SessionStore
from agent.ui.settings import Settings, settings_to_config
from agent.ui.uploads import ingest_uploads, save_image

log = logging.getLogger("visreason.ui")

ReasonerFactory = Callable[[Config], Any]
ChatUpdate = tuple[list[dict], list[tuple[str, str]], dict]  # chatbot, gallery, cleared input box
EMPTY_BOX: dict = {"text": "", "files": []}
MAX_LIKABLE = 256  # recent answers (per app) a thumbs-up can still teach
MAX_HISTORY = 20  # messages of earlier turns handed to the reasoner (10 question/answer pairs)
FRIENDLY = "Something went wrong while answering; the details are in the server log."
NOT_ISSUED = ("This conversation id was not issued by this server; reload the page "
              "(API clients: ask /new_session for one).")


class ReasonerCache:
    """One reasoner per distinct Config (models load once), least-recently-used first out."""

    def __init__(self, factory: ReasonerFactory, max_size: int = 3) -> None:
        self.factory = factory
        self.max_size = max_size
        self._items: OrderedDict[Config, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, config: Config) -> Any:
        # Building under the lock: two sessions asking with a new config must not load twice.
        with self._lock:
            if config in self._items:
                self._items.move_to_end(config)
                return self._items[config]
            reasoner = self.factory(config)
            self._items[config] = reasoner
            while len(self._items) > self.max_size:
                self._items.popitem(last=False)
            return reasoner


@dataclass
class Turn:
    """A question being answered; shared between the streaming handler and the cancel button."""

    session_id: str
    view: TurnView
    prefix: list[dict]  # transcript before this turn, plus the user's messages
    gallery_prefix: list[tuple[str, str]]
    cancel: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    saved: bool = False
    reasoner: Any = None  # the reasoner that answers it (a thumbs-up teaches its program memory)

    def snapshot(self) -> ChatUpdate:
        with self.lock:
            return (self.prefix + copy.deepcopy(self.view.messages),
                    self.gallery_prefix + list(self.view.gallery), EMPTY_BOX)


def default_reasoner_factory(config: Config) -> Any:
    from agent.reasoner import Reasoner

    return Reasoner(config)


def answer_text(answer: Any) -> str:
    short = getattr(answer, "answer", "") if answer is not None else ""
    explanation = getattr(answer, "explanation", "") if answer is not None else ""
    return f"{short}. {explanation}".strip() if explanation else str(short)


class ChatController:
    def __init__(self, base_config: Config, store: SessionStore, reasoners: ReasonerCache, *,
                 policy: AppPolicy | None = None, ids: SessionIds | None = None,
                 learn_from_likes: bool = False) -> None:
        self.base_config = base_config
        self.store = store
        self.reasoners = reasoners
        self.policy = policy or AppPolicy.from_config(base_config)
        self.ids = ids or SessionIds(secrets.token_bytes(32))
        self._turns: dict[str, Turn] = {}
        self._turns_lock = threading.Lock()
        # Only the operator decides whether a thumbs-up may teach the program memory (app.py --learn-from-likes;
        # on by default for a loopback app): a visitor's like on a shared app must not plant programs.
        self.learn_from_likes = learn_from_likes
        self._liked: OrderedDict[tuple[str, int], tuple[Any, Any]] = OrderedDict()  # (session, message) -> answer
        self._liked_lock = threading.Lock()

    # -- sessions ------------------------------------------------------------------------
    def new_session(self, user: str | None = None) -> str:
        return self.ids.issue(user)

    def restore(self, session_id: str, user: str | None = None) -> tuple[list[dict], list[tuple[str, str]]]:
        if not self.ids.issued(session_id, user):
            return [], []
        s = self.store.load(session_id)
        return s.transcript, [(p, c) for p, c in s.gallery]

    # -- answering -----------------------------------------------------------------------
    def respond(self, message: Any, session_id: str, settings: Settings | None = None,
                user: str | None = None) -> Iterator[ChatUpdate]:
        text, files = _split_message(message)
        if not self.ids.issued(session_id, user):
            yield [{"role": "assistant", "content": f"Error: {NOT_ISSUED}"}], [], EMPTY_BOX
            return
        session = self.store.load(session_id)
        gallery = [(p, c) for p, c in session.gallery]
        folder = self.store.folder(session_id)
        try:
            new_images = [str(p) for p in ingest_uploads(files, folder / "images", self.base_config.images)]
        except ImageError as exc:
            yield from self._reply_only(session_id, session.transcript, gallery, text, esc(str(exc)))
            return
        images = new_images or list(session.image_paths)
        if not text.strip():
            if new_images:  # images without a question: keep them for the next question
                msgs = user_messages("", new_images)
                self.store.append(session_id, transcript=msgs, image_paths=new_images)
                yield session.transcript + msgs, gallery, EMPTY_BOX
            else:
                yield session.transcript, gallery, EMPTY_BOX
            return
        if not images:
            yield from self._reply_only(session_id, session.transcript, gallery, text,
                                        "Please upload an image (or pick an example) first.")
            return
        try:
            config, kb = settings_to_config(self.base_config, settings, self.policy)
            reasoner = self.reasoners.get(config)
        except VisreasonError as exc:
            yield from self._reply_only(session_id, session.transcript, gallery, text, esc(str(exc)), new_images)
            return
        except Exception:  # noqa: BLE001 - a backend that fails to build must not crash the page
            log.exception("building the reasoner failed")
            yield from self._reply_only(session_id, session.transcript, gallery, text, FRIENDLY, new_images)
            return

        user_msgs = user_messages(text, new_images)
        self.store.append(session_id, transcript=user_msgs, history=[{"role": "user", "content": text}],
                          image_paths=images)
        steps_dir = folder / "steps"
        view = TurnView(sink=lambda img, caption: str(save_image(img, steps_dir)), question=text)
        turn = Turn(session_id, view, session.transcript + user_msgs, gallery, reasoner=reasoner)
        self._start(turn)
        try:
            yield turn.snapshot()
            yield from self._run(turn, reasoner, text, images, kb, session.history[-MAX_HISTORY:])
            self._save(turn, note="Cancelled" if turn.cancel.is_set() else None)
            yield turn.snapshot()
        finally:
            # Gradio closes this generator when the browser goes away or the event is cancelled:
            # stop the reasoner and keep what was produced.
            if not turn.saved:
                turn.cancel.set()
                self._save(turn, note="Interrupted")

    def _run(self, turn: Turn, reasoner: Any, text: str, images: list[str], kb: str | None,
             history: list[dict]) -> Iterator[ChatUpdate]:
        try:
            for event in reasoner.stream(text, images, kb, history=history, cancel=turn.cancel):
                if turn.cancel.is_set():
                    break
                with turn.lock:
                    turn.view.feed(event)
                yield turn.snapshot()
        except VisreasonError as exc:
            with turn.lock:
                turn.view.feed({"type": "error", "error": exc.to_dict()})
        except Exception:  # noqa: BLE001 - the user sees a message, the log gets the traceback
            log.exception("reasoner failed on session %s", turn.session_id)
            with turn.lock:
                turn.view.finish()
                turn.view.messages.append({"role": "assistant", "content": f"Error: {FRIENDLY}"})

    def cancel(self, session_id: str, user: str | None = None) -> str:
        """Stop this session's running question (if any), keeping what it produced so far.

        Returns only a status (``cancelled`` / ``idle`` / ``refused``), never the transcript.
        """
        if not self.ids.issued(session_id, user):
            return "refused"
        with self._turns_lock:
            turn = self._turns.get(session_id)
        if turn is None:
            return "idle"
        turn.cancel.set()
        self._save(turn, note="Cancelled")
        return "cancelled"

    # -- thumbs-up ----------------------------------------------------------------------
    def _remember_answer(self, turn: Turn, index: int) -> None:
        with self._liked_lock:
            self._liked[(turn.session_id, index)] = (turn.view.answer, turn.reasoner)
            while len(self._liked) > MAX_LIKABLE:
                self._liked.popitem(last=False)

    def like(self, session_id: str, index: int | None, liked: bool, user: str | None = None) -> str:
        """A thumbs-up on an answer: its program joins the program memory (when the operator allows it)."""
        if not self.ids.issued(session_id, user):
            return "refused"
        if not liked:
            return "Noted. (A thumbs-down teaches nothing; ask again in other words if the answer was wrong.)"
        if not self.learn_from_likes:
            return "Thanks! This app does not learn from likes (the operator can allow it: app.py --learn-from-likes)."
        with self._liked_lock:
            entry = self._liked.get((session_id, int(index))) if index is not None else None
        if entry is None:
            return "Only the answer of a question asked in this app session can be learned."
        answer, reasoner = entry
        learn = getattr(reasoner, "learn", None)
        try:
            template = learn(answer, source="app") if callable(learn) else None
        except VisreasonError as exc:
            return f"Not learned: {esc(str(exc), 200)}"
        if template is None:
            return "Thanks! This answer did not come from one clean program, so there is nothing to learn."
        return f"Learned: the program memory now holds this program as template {esc(template, 40)}."

    # -- helpers -------------------------------------------------------------------------
    def _start(self, turn: Turn) -> None:
        with self._turns_lock:
            previous = self._turns.get(turn.session_id)
            self._turns[turn.session_id] = turn
        if previous is not None:  # a new question supersedes one still running in this session
            previous.cancel.set()
            self._save(previous, note="Cancelled")

    def _save(self, turn: Turn, note: str | None = None) -> None:
        """Persist the turn exactly once, whichever of answer/cancel/supersede gets here first."""
        with turn.lock:
            if turn.saved:
                return
            turn.saved = True
            if note:
                turn.view.finish(note)
            messages = copy.deepcopy(turn.view.messages)
            reply = answer_text(turn.view.answer) if turn.view.answer is not None else f"({note or 'no answer'})"
            gallery = list(turn.view.gallery)
            if turn.view.answer is not None and not note:
                self._remember_answer(turn, len(turn.prefix) + len(messages) - 1)
        with self._turns_lock:
            if self._turns.get(turn.session_id) is turn:
                del self._turns[turn.session_id]
        try:
            self.store.append(turn.session_id, transcript=messages, gallery=gallery,
                              history=[{"role": "assistant", "content": reply}])
        except Exception:  # noqa: BLE001 - losing persistence must not break the live answer
            log.exception("saving session %s failed", turn.session_id)

    def _reply_only(self, session_id: str, transcript: list[dict], gallery: list, text: str, reply: str,
                    images: list[str] | None = None) -> Iterator[ChatUpdate]:
        msgs = user_messages(text, images or []) + [{"role": "assistant", "content": f"Error: {reply}"}]
        self.store.append(session_id, transcript=msgs, image_paths=images or None)
        yield transcript + msgs, gallery, EMPTY_BOX


def _split_message(message: Any) -> tuple[str, list]:
    if message is None:
        return "", []
    if isinstance(message, str):
        return message, []
    if isinstance(message, dict):
        return str(message.get("text") or ""), list(message.get("files") or [])
    raise InputError(f"unsupported chat message of type {type(message).__name__}")


def sessions_root(config: Config) -> Path:
    return config.home_path / "sessions"
