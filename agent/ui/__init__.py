"""The Gradio chat demo: rendering, sessions, uploads, settings and the app layout."""

from __future__ import annotations

__all__ = ["build_app", "load_factory"]


def __getattr__(name: str):
    # Lazy: importing agent.ui.render in tests must not import Gradio.
    if name in __all__:
        from agent.ui import app_builder

        return getattr(app_builder, name)
    raise AttributeError(name)
