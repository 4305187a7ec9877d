"""The Gradio Blocks layout and its event wiring (targets Gradio 6.x).

Layout: chat + multimodal input + example photos on the left; the side panels (agent/ui/panels.py:
the step-image gallery, plus any registered panel) and the settings accordion on the right. Public
endpoints (scripts and tests drive them with ``gradio_client``): ``/new_session`` (a server-issued
session id), ``/chat`` (inputs: message, session_id, then the settings this server offers; outputs:
chat, one value per panel, the cleared input box) and ``/cancel`` (session_id -> a status only).
The page itself keeps its session id in ``gr.BrowserState``. The settings offered are the
operator's policy (agent/ui/policy.py); logins (agent/ui/exposure.py) are passed to ``launch``.
"""

from __future__ import annotations

import inspect
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr  # module level: the handlers' ``gr.Request`` annotations must resolve

from agent.config import Config
from agent.plugins import load_callable
from agent.ui.chat import ChatController, ReasonerCache, ReasonerFactory, default_reasoner_factory
from agent.ui.examples import example_images
from agent.ui.exposure import Credentials, checker
from agent.ui.panels import PanelView, select, values, with_panels
from agent.ui.policy import AppPolicy
from agent.ui.sessions import SessionIds, SessionStore
from agent.ui.settings import ceiling, choices, default_settings, offered_fields

TITLE = "visreason: ask questions about images"
INTRO = ("Upload one or more images (or pick an example below) and ask a question. The agent writes a "
         "visual program, runs it step by step, gathers evidence if needed and explains its answer. "
         "Follow-up questions reuse this conversation's images.")


@dataclass
class ChatApp:
    demo: Any  # gr.Blocks
    controller: ChatController
    allowed_paths: list[str] = field(default_factory=list)
    blocked_paths: list[str] = field(default_factory=list)
    max_file_size: int = 0
    creds: Credentials = field(default_factory=dict)

    def launch(self, host: str = "127.0.0.1", port: int | None = None, **kw: Any) -> Any:
        auth = checker(self.creds) if self.creds else None
        # quiet: Gradio's own banner suggests `share=True`, which this app never does (app.py prints the URL)
        return self.demo.launch(server_name=host, server_port=port, share=False, show_error=False, quiet=True,
                                allowed_paths=self.allowed_paths, blocked_paths=self.blocked_paths,
                                max_file_size=self.max_file_size or None, auth=auth, **kw)


def load_factory(spec: str | None) -> ReasonerFactory:
    """``"package.module:callable"`` -> the callable (imported, never evaluated); None: the default."""
    return load_callable(spec, "reasoner factory") if spec else default_reasoner_factory


def browser_secret(home: Path) -> str:
    """A stable secret for BrowserState, so stored session ids survive an app restart."""
    path = home / "ui_browser_secret"
    if path.exists():
        return path.read_text().strip()
    home.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def build_app(config: Config, *, reasoner_factory: ReasonerFactory | None = None, concurrency: int = 4,
              policy: AppPolicy | None = None, creds: Credentials | None = None,
              learn_from_likes: bool = False, panels: Sequence[str] | None = None) -> ChatApp:
    """The app; ``panels`` names the side panels to show (default: every one registered in ``PANELS``)."""
    home = config.home_path
    side = select(panels)
    policy = policy or AppPolicy.from_config(config)
    store = SessionStore(home / "sessions", home / "sessions.sqlite")
    secret = browser_secret(home)
    controller = ChatController(config, store, ReasonerCache(reasoner_factory or default_reasoner_factory),
                                policy=policy, ids=SessionIds(secret), learn_from_likes=learn_from_likes)
    examples = example_images(home / "ui_examples")
    defaults = default_settings(config, policy)
    fields = offered_fields(policy)
    names = [f.name for f in fields]

    with gr.Blocks(title="visreason") as demo:
        gr.Markdown(f"## {TITLE}\n{INTRO}")
        browser_state = gr.BrowserState("", storage_key="visreason_session", secret=secret)
        session_box = gr.Textbox(visible="hidden", label="session id", elem_id="vr-session")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=620, elem_id="vr-chat",
                                     buttons=["copy"], group_consecutive_messages=False)
                box = gr.MultimodalTextbox(
                    file_types=["image"], file_count="multiple", sources=["upload"], elem_id="vr-input",
                    placeholder="Ask about the image(s)… (attach, drop or paste pictures)", show_label=False)
                with gr.Row():
                    # enabled only while a question runs (set by the events below)
                    cancel_btn = gr.Button("Cancel", variant="stop", elem_id="vr-cancel", scale=1, interactive=False)
                    new_btn = gr.Button("New conversation", elem_id="vr-new", scale=1)
                status = gr.Markdown("", elem_id="vr-status", label="status")
                if examples:
                    gr.Examples(examples=[{"text": q, "files": [str(p)]} for p, q in examples],
                                inputs=[box], label="Example photos", examples_per_page=len(examples))
            with gr.Column(scale=2):
                shown = [p.build(gr) for p in side]
                with gr.Accordion("Settings", open=False):
                    widgets = [_widget(gr, f, defaults[f.name], policy) for f in fields]

        def on_load(request: gr.Request, stored: str):
            user = _user(request)
            sid = stored if controller.ids.issued(stored, user) else controller.new_session(user)
            chat, items = controller.restore(sid, user)
            return sid, sid, chat, *values(side, PanelView(items))

        def on_new(request: gr.Request, old: str):
            user = _user(request)
            controller.cancel(old, user)  # a question still running in the old conversation stops
            sid = controller.new_session(user)
            return sid, sid, [], *values(side, PanelView([])), ""

        @_named_settings(names)
        def on_chat(request: gr.Request, message: Any, session_id: str, *settings_values: Any):
            settings = dict(zip(names, settings_values, strict=True))
            yield from with_panels(controller.respond(message, session_id, settings, _user(request)), side)

        def on_cancel(request: gr.Request, session_id: str) -> str:
            return controller.cancel(session_id, _user(request))

        def on_restore(request: gr.Request, session_id: str):
            chat, items = controller.restore(session_id, _user(request))
            return chat, *values(side, PanelView(items))

        def on_like(request: gr.Request, session_id: str, evt: gr.LikeData) -> str:
            index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            return controller.like(session_id, index, bool(evt.liked), _user(request))

        def new_session(request: gr.Request) -> str:
            """A fresh session id issued by this server (pass it to /chat and /cancel)."""
            return controller.new_session(_user(request))

        demo.load(on_load, inputs=[browser_state], outputs=[browser_state, session_box, chatbot, *shown],
                  api_visibility="private")
        box.submit(lambda: gr.update(interactive=True), outputs=[cancel_btn], api_visibility="private", queue=False)
        chat_event = box.submit(on_chat, inputs=[box, session_box, *widgets], outputs=[chatbot, *shown, box],
                                api_name="chat", concurrency_limit=concurrency, show_progress="minimal")
        chat_event.then(lambda: gr.update(interactive=False), outputs=[cancel_btn], api_visibility="private",
                        queue=False)
        chatbot.like(on_like, inputs=[session_box], outputs=[status], api_visibility="private", queue=False)
        cancel_btn.click(on_cancel, inputs=[session_box], outputs=[status], cancels=[chat_event],
                         api_name="cancel", queue=False).then(
            on_restore, inputs=[session_box], outputs=[chatbot, *shown], api_visibility="private", queue=False)
        new_btn.click(on_new, inputs=[session_box], outputs=[browser_state, session_box, chatbot, *shown, status],
                      cancels=[chat_event], api_visibility="private", queue=False)
        gr.api(new_session, api_name="new_session", queue=False)

    return ChatApp(demo=demo, controller=controller,
                   allowed_paths=[str(store.root.resolve()), str((home / "ui_examples").resolve())],
                   blocked_paths=[str(store.db_path.resolve()), str((home / "ui_browser_secret").resolve())],
                   max_file_size=config.images.max_bytes, creds=dict(creds or {}))


def _named_settings(names: list[str]):
    """Name a ``*values`` handler's parameters after the settings, so API clients can pass them by keyword."""

    def wrap(fn):
        sig = inspect.signature(fn)
        fixed = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_POSITIONAL]
        extra = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names]
        fn.__signature__ = sig.replace(parameters=[*fixed, *extra])
        return fn

    return wrap


def _user(request: Any) -> str | None:
    """The logged-in user (None without logins); session ids are bound to it."""
    return getattr(request, "username", None) if request is not None else None


def _widget(gr: Any, f: Any, value: Any, policy: AppPolicy) -> Any:
    if f.kind == "choice":
        return gr.Dropdown(choices=choices(f, policy), value=value, label=f.label, info=f.info or None)
    if f.kind in ("int", "float"):
        cap = ceiling(f.name, policy)
        info = f"at most {cap:g} on this server"
        # No widget maximum: a larger value from an API client is clamped (settings.py), not an error.
        return gr.Number(value=value, precision=0 if f.kind == "int" else None, label=f.label, minimum=1,
                         info=info)
    return gr.Textbox(value=value, label=f.label, info=f.info or None,
                      type="password" if f.kind == "secret" else "text", max_lines=1)
