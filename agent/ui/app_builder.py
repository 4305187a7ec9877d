"""The Gradio Blocks layout and its event wiring (targets Gradio 6.x).

Layout: chat + multimodal input + example photos on the left; the step-image gallery and
the settings accordion on the right. The chat endpoint is public as ``/chat`` (inputs:
message, session_id, then the settings) so scripts and tests can drive it with
``gradio_client``; the page itself keeps its session id in ``gr.BrowserState``.
"""

from __future__ import annotations

import importlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.config import Config
from agent.errors import ConfigError
from agent.ui.chat import ChatController, ReasonerCache, ReasonerFactory, default_reasoner_factory
from agent.ui.examples import example_images
from agent.ui.sessions import SessionStore, new_session_id, valid_session_id
from agent.ui.settings import FIELDS, default_settings

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

    def launch(self, host: str = "127.0.0.1", port: int | None = None, **kw: Any) -> Any:
        return self.demo.launch(server_name=host, server_port=port, share=False, show_error=False,
                                allowed_paths=self.allowed_paths, blocked_paths=self.blocked_paths,
                                max_file_size=self.max_file_size or None, **kw)


def load_factory(spec: str | None) -> ReasonerFactory:
    """``"package.module:callable"`` -> the callable (imported, never evaluated)."""
    if not spec:
        return default_reasoner_factory
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"reasoner factory must look like 'module:callable', got {spec!r}")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load reasoner factory {spec!r}: {exc}") from None
    if not callable(factory):
        raise ConfigError(f"reasoner factory {spec!r} is not callable")
    return factory


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


def build_app(config: Config, *, reasoner_factory: ReasonerFactory | None = None,
              concurrency: int = 4) -> ChatApp:
    import gradio as gr

    home = config.home_path
    store = SessionStore(home / "sessions", home / "sessions.sqlite")
    controller = ChatController(config, store, ReasonerCache(reasoner_factory or default_reasoner_factory))
    examples = example_images(home / "ui_examples")
    defaults = default_settings(config)
    names = [f.name for f in FIELDS]

    with gr.Blocks(title="visreason") as demo:
        gr.Markdown(f"## {TITLE}\n{INTRO}")
        browser_state = gr.BrowserState("", storage_key="visreason_session", secret=browser_secret(home))
        session_box = gr.Textbox(visible="hidden", label="session id", elem_id="vr-session")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=620, elem_id="vr-chat",
                                     buttons=["copy"], group_consecutive_messages=False)
                box = gr.MultimodalTextbox(
                    file_types=["image"], file_count="multiple", sources=["upload"], elem_id="vr-input",
                    placeholder="Ask about the image(s)… (attach, drop or paste pictures)", show_label=False)
                with gr.Row():
                    cancel_btn = gr.Button("⏹ Cancel", variant="stop", elem_id="vr-cancel", scale=1)
                    new_btn = gr.Button("New conversation", elem_id="vr-new", scale=1)
                if examples:
                    gr.Examples(examples=[{"text": q, "files": [str(p)]} for p, q in examples],
                                inputs=[box], label="Example photos", examples_per_page=len(examples))
            with gr.Column(scale=2):
                gallery = gr.Gallery(label="Step images", columns=2, height=360, elem_id="vr-gallery",
                                     interactive=False)
                with gr.Accordion("Settings", open=False):
                    widgets = [_widget(gr, f, defaults[f.name]) for f in FIELDS]

        def on_load(stored: str):
            sid = stored if valid_session_id(stored) else new_session_id()
            chat, items = controller.restore(sid)
            return sid, sid, chat, items

        def on_new(old: str):
            controller.cancel(old)  # a question still running in the old conversation stops
            sid = new_session_id()
            return sid, sid, [], []

        def on_chat(message: Any, session_id: str, *values: Any):
            yield from controller.respond(message, session_id, dict(zip(names, values, strict=True)))

        def on_cancel(session_id: str):
            return controller.cancel(session_id)

        demo.load(on_load, inputs=[browser_state], outputs=[browser_state, session_box, chatbot, gallery],
                  api_visibility="private")
        chat_event = box.submit(on_chat, inputs=[box, session_box, *widgets], outputs=[chatbot, gallery, box],
                                api_name="chat", concurrency_limit=concurrency, show_progress="minimal")
        cancel_btn.click(on_cancel, inputs=[session_box], outputs=[chatbot, gallery], cancels=[chat_event],
                         api_name="cancel", queue=False)
        new_btn.click(on_new, inputs=[session_box], outputs=[browser_state, session_box, chatbot, gallery], cancels=[chat_event],
                      api_visibility="private", queue=False)

    return ChatApp(demo=demo, controller=controller,
                   allowed_paths=[str(store.root.resolve()), str((home / "ui_examples").resolve())],
                   blocked_paths=[str(store.db_path.resolve()), str((home / "ui_browser_secret").resolve())],
                   max_file_size=config.images.max_bytes)


def _widget(gr: Any, f: Any, value: Any) -> Any:
    if f.kind == "choice":
        return gr.Dropdown(choices=list(f.choices), value=value, label=f.label, info=f.info or None)
    if f.kind == "int":
        return gr.Number(value=value, precision=0, label=f.label, minimum=1)
    if f.kind == "float":
        return gr.Number(value=value, label=f.label, minimum=1)
    return gr.Textbox(value=value, label=f.label, info=f.info or None,
                      type="password" if f.kind == "secret" else "text", max_lines=1)
