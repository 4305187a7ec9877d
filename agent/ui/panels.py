"""The app's side panels in one registry: a new panel is one file plus one line in ``PANELS``.

A :class:`Panel` has a name, a ``build`` that creates its Gradio component (called inside the
right-hand column, above the settings, in ``PANELS`` order) and a ``value`` that turns a
:class:`PanelView` into the component's value. The view carries the session's step images (saved
files, earlier questions included: what the chat controller streams) and the typed events
(``agent.events``) of the question being answered so far; after a page load, a restore or a new
conversation it has no events. ``value`` is called on every streamed update, so it should be cheap
and pure.

Each panel is one more output of the page's handlers and of the public ``/chat`` endpoint, between
the chat and the cleared input box: with the built-in panels only, ``/chat`` returns
``(chat, gallery, box)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from agent import events
from agent.errors import ConfigError
from agent.ui.render import observing

Gallery = list[tuple[str, str]]  # (served file, caption), as the chat controller streams it


class PanelError(ConfigError):
    """A panel name that is unknown or registered twice."""


@dataclass(frozen=True)
class PanelView:
    gallery: Gallery
    events: tuple[events.Event, ...] = ()


@dataclass(frozen=True)
class Panel:
    name: str
    build: Callable[[Any], Any]  # the gradio module -> its component
    value: Callable[[PanelView], Any]
    doc: str = ""


def _build_gallery(gr: Any) -> Any:
    return gr.Gallery(label="Step images", columns=2, height=360, elem_id="vr-gallery", interactive=False)


def _gallery_value(view: PanelView) -> Gallery:
    return view.gallery


GALLERY = Panel("gallery", _build_gallery, _gallery_value,
                doc="the step images of this conversation (and retrieved KB photos), newest last")

# The registration lines: one per panel, in the order they appear.
PANELS: list[Panel] = [
    GALLERY,
]


def check(panels: Sequence[Panel]) -> list[Panel]:
    """The panels as a list; a name used twice is a :class:`PanelError`."""
    seen: set[str] = set()
    for p in panels:
        if not isinstance(p, Panel):
            raise PanelError(f"not a Panel: {type(p).__name__}")
        if p.name in seen:
            raise PanelError(f"panel {p.name!r} is registered twice")
        seen.add(p.name)
    return list(panels)


def select(names: Sequence[str] | None = None, registry: Sequence[Panel] | None = None) -> list[Panel]:
    """The registered panels named (all of them, in registry order, when ``names`` is None)."""
    panels = check(PANELS if registry is None else registry)
    if names is None:
        return panels
    by_name = {p.name: p for p in panels}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise PanelError(f"unknown panel(s) {', '.join(map(repr, unknown))}; registered: {', '.join(by_name)}")
    if len(set(names)) != len(names):
        raise PanelError(f"a panel is named twice in {list(names)}")
    return [by_name[n] for n in names]


def values(panels: Sequence[Panel], view: PanelView) -> list[Any]:
    return [p.value(view) for p in panels]


def with_panels(updates: Iterator[tuple[list[dict], Gallery, dict]],
                panels: Sequence[Panel]) -> Iterator[tuple[Any, ...]]:
    """The chat controller's ``(chat, gallery, box)`` stream -> ``(chat, *panel values, box)``.

    The typed events the controller's TurnView is fed while producing each update are collected
    (``render.observing`` is set around each step of the stream only, so concurrent questions on
    other threads never mix) and handed to the panels. Closing this generator closes ``updates``,
    so a cancelled question still stops and saves what it produced.
    """
    seen: list[events.Event] = []
    try:
        while True:
            with observing(seen.append):
                try:
                    chat, gallery, box = next(updates)
                except StopIteration:
                    return
            yield (chat, *values(panels, PanelView(gallery, tuple(seen))), box)
    finally:
        close = getattr(updates, "close", None)
        if callable(close):
            close()
