"""Reasoner events -> chat messages (Gradio "messages" dicts) and gallery items.

Pure functions plus one accumulator (``TurnView``) so the chat handler, the session
store and the tests all share one rendering. Everything that came from a model, OCR or a
document is escaped before it reaches the Markdown renderer: untrusted text must not be
able to inject links, images or HTML into the chat.
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from PIL import Image, UnidentifiedImageError

from agent import events
from agent.trace import compact_json, format_args

FILE_ROUTE = "/gradio_api/file="  # Gradio serves files under the app's allowed paths here
THUMB_SIDE = 320  # inline step thumbnails stay small; the full image goes to the gallery
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|<])")
_DATA_URL = re.compile(r"^data:image/(png|jpeg|jpg|webp|gif);base64,(.+)$", re.DOTALL)

# (image, caption) -> a value the gallery can show; injected so render stays storage-free.
ImageSink = Callable[[Image.Image, str], Any]
# Who else sees the typed events a TurnView is fed (the app's side panels, agent/ui/panels.py), set only
# around the call that feeds them: the chat controller stays unaware of the panels.
EventObserver = Callable[[events.Event], None]
_OBSERVER: ContextVar[EventObserver | None] = ContextVar("visreason_turn_observer", default=None)


@contextmanager
def observing(observer: EventObserver) -> Iterator[None]:
    """Every event a TurnView parses inside this block (this thread and context) also goes to ``observer``."""
    token = _OBSERVER.set(observer)
    try:
        yield
    finally:
        _OBSERVER.reset(token)


def esc(text: Any, limit: int = 600) -> str:
    """Untrusted text -> inert Markdown: HTML-escaped, Markdown specials backslashed, clipped."""
    s = text if isinstance(text, str) else compact_json(text)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", html.escape(s, quote=False))


def code_block(text: str, lang: str = "text") -> str:
    """A fenced block the content cannot break out of (fence longer than any backtick run)."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def decode_data_url(url: str | None) -> Image.Image | None:
    """A ``data:image/...;base64,`` URL -> PIL image; None when absent or malformed."""
    if not url or not isinstance(url, str):
        return None
    m = _DATA_URL.match(url.strip())
    if not m:
        return None
    try:
        img = Image.open(io.BytesIO(base64.b64decode(m.group(2), validate=False)))
        img.load()
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError):
        return None
    return img.convert("RGB")


def thumbnail_data_url(img: Image.Image, side: int = THUMB_SIDE) -> str:
    """A small JPEG data URL: keeps streamed chat updates and stored transcripts light."""
    thumb = img.convert("RGB").copy()
    thumb.thumbnail((side, side))
    buf = io.BytesIO()
    thumb.save(buf, format="JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def panel(title: str, body: str, *, status: str = "done", duration: float | None = None,
          log: str | None = None) -> dict:
    """A collapsible assistant "thought" (Gradio renders metadata.title as an accordion)."""
    meta: dict[str, Any] = {"title": title, "status": status}
    if duration is not None:
        meta["duration"] = round(float(duration), 3)
    if log:
        meta["log"] = log
    return {"role": "assistant", "content": body, "metadata": meta}


def render_program(program: str, attempt: int = 1) -> dict:
    title = "Program" + (f" (attempt {attempt})" if attempt and attempt > 1 else "")
    return panel(title, code_block(program or "(empty program)"))


def step_title(step: dict) -> str:
    line = step.get("line")
    module = str(step.get("module") or "?")
    target = str(step.get("target") or "")
    head = f"{target}={module}" if target else module
    where = f"Step {line}" if line is not None else "Step"
    return f"{where}{' failed' if step.get('error') else ''}: {head}"


def render_step(step: dict, thumb_url: str | None = None) -> dict:
    """One interpreter step: arguments, output summary, error, and its image if it drew one.

    ``thumb_url`` is the picture's served file (``/gradio_api/file=...``: the full-resolution image,
    shown small and opened large by a click) or, without a file store, a small data URL. A file
    part would make Gradio split the panel in two.
    """
    parts: list[str] = []
    args = step.get("args")
    if args:
        parts.append(f"**args:** {esc(format_args(args), 300)}")
    summary = step.get("summary")
    output = step.get("output")
    if summary:
        parts.append(f"**output:** {esc(summary)}")
    elif output is not None and output != "":
        parts.append(f"**output:** {esc(output, 400)}")
    if step.get("error"):
        parts.append(f"**error:** {esc(step['error'])}")
    if thumb_url and thumb_url.startswith(FILE_ROUTE):
        parts.append(f'<a href="{html.escape(thumb_url)}" target="_blank" class="vr-step-link">'
                     f'<img src="{html.escape(thumb_url)}" alt="picture of this step (click to open it full size)" '
                     f'class="vr-step-img" style="max-width:{THUMB_SIDE}px"></a>')
    elif thumb_url:
        parts.append(f'<img src="{thumb_url}" alt="picture of this step" class="vr-step-img" '
                     f'style="max-width:{THUMB_SIDE}px">')
    ms = step.get("ms")
    duration = float(ms) / 1000.0 if isinstance(ms, (int, float)) else None
    return panel(step_title(step), "\n\n".join(parts) or "(no output)", duration=duration)


def render_retrieval(event: dict | events.Retrieval) -> dict:
    """One decide/retrieve turn: the action, the query, cited items and the sub-answer."""
    ev = events.parse({"type": "retrieval", **event}) if isinstance(event, dict) else event
    if not isinstance(ev, events.Retrieval):
        return panel("Search", "(malformed retrieval event)")
    lines = [f"**query:** {esc(ev.query, 300)}"] if ev.query else []
    for i, item in enumerate(ev.items, 1):
        src = esc(item.source or item.id or "?", 120)
        where = f" line {item.line}" if item.line else ""
        lines.append(f"[{i}] *{src}*{where} (score {float(item.score):.2f}): {esc(item.quote or item.snippet, 300)}")
    if ev.sub_answer:
        lines.append(f"**sub-answer:** {esc(ev.sub_answer)}")
    action = esc(ev.action or "retrieve", 40)
    title = f"Search turn {ev.turn}: {action}" if ev.turn is not None else f"Search: {action}"
    return panel(title, "\n\n".join(lines) or "(nothing found)")


def load_thumbnail(path: str | None, side: int = THUMB_SIDE * 2) -> Image.Image | None:
    """A KB photo's stored thumbnail (a file the KB wrote), or None if it cannot be read."""
    if not path:
        return None
    try:
        with Image.open(path) as img:
            img.thumbnail((side, side))
            return img.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def render_answer(answer: Any) -> dict:
    """The final, refined answer: short answer in bold, explanation, citations, warnings."""
    short = getattr(answer, "answer", None)
    if short is None and isinstance(answer, dict):
        short = answer.get("answer")
    get = (lambda k, d: answer.get(k, d)) if isinstance(answer, dict) else (lambda k, d: getattr(answer, k, d))
    explanation = get("explanation", "") or ""
    parts = [f"**Answer: {esc(short if short is not None else '(no answer)', 200)}**"]
    if explanation:
        parts.append(esc(explanation, 1500))
    cites = [e for e in (get("evidence", []) or []) if isinstance(e, dict) and (e.get("source") or e.get("id"))]
    if cites:
        refs = "; ".join(f"[{i}] {esc(e.get('source') or e.get('id'), 120)}" for i, e in enumerate(cites[:8], 1))
        parts.append(f"<sub>Sources: {refs}</sub>")
    warnings = get("warnings", []) or []
    if warnings:
        parts.append("\n".join(f"Warning: {esc(w, 300)}" for w in warnings[:5]))
    return {"role": "assistant", "content": "\n\n".join(parts)}


def render_error(error: dict | str) -> dict:
    if isinstance(error, dict):
        where = f" (line {error['line']})" if error.get("line") is not None else ""
        text = f"{error.get('type') or 'Error'}{where}: {error.get('message') or ''}"
    else:
        text = str(error)
    return {"role": "assistant", "content": f"Error: {esc(text, 800)}"}


def user_messages(text: str, image_refs: list[Any]) -> list[dict]:
    """The user's turn: each image as a file message, then the question."""
    msgs = [{"role": "user", "content": {"path": str(p)}} for p in image_refs]
    if text:
        msgs.append({"role": "user", "content": esc(text, 4000)})
    return msgs


class TurnView:
    """Accumulates one question's events into chat messages and gallery items."""

    def __init__(self, sink: ImageSink | None = None, question: str = "") -> None:
        self.sink = sink
        self.question = " ".join(question.split())
        self.messages: list[dict] = []
        self.gallery: list[tuple[Any, str]] = []
        self.answer: Any = None
        self._progress: dict | None = None
        self._log: list[str] = []

    def _status(self, text: str) -> None:
        line = esc(text, 300)
        if self._progress is None:
            self._progress = panel("Working", line, status="pending")
            self.messages.append(self._progress)
            self._log = [line]
        elif not self._log or self._log[-1] != line:
            self._log.append(line)
        self._progress["content"] = "\n\n".join(self._log)
        self._progress["metadata"]["log"] = text[:80]

    def _caption(self, text: str) -> str:
        """Gallery captions name the question too: pictures of several questions share one gallery."""
        if not self.question:
            return text
        q = self.question if len(self.question) <= 40 else self.question[:39] + "…"
        return f"{q} · {text}"

    def _tick(self, event: events.Progress) -> None:
        """A heartbeat: the running phase, its elapsed time and the LLM's text so far."""
        phase = event.phase or "working"
        if self._progress is None:
            self._status(phase)
        elapsed = float(event.elapsed_s or 0.0)
        self._progress["metadata"]["title"] = f"Working · {esc(phase, 80)} · {elapsed:.0f} s"
        self._progress["metadata"]["log"] = f"{phase[:60]} · {elapsed:.0f} s"
        partial = event.partial or ""
        body = "\n\n".join(self._log)
        self._progress["content"] = body + ("\n\n" + code_block(partial[-600:]) if partial.strip() else "")

    def finish(self, note: str | None = None) -> None:
        """Close the progress panel (answer, error or cancel): its title and log show the final state."""
        if self._progress is not None:
            self._progress["metadata"]["status"] = "done"
            self._progress["metadata"]["title"] = "Done" if note is None else str(note)
            self._progress["metadata"]["log"] = "done" if note is None else str(note)
            self._progress["content"] = "\n\n".join(self._log)
        if note:
            self.messages.append({"role": "assistant", "content": f"{esc(note, 200)}"})

    def feed(self, event: dict | events.Event) -> None:
        ev = events.parse(event)
        observer = _OBSERVER.get()
        if ev is not None and observer is not None:
            observer(ev)
        if isinstance(ev, events.Status):
            self._status(ev.text)
        elif isinstance(ev, events.Progress):
            self._tick(ev)
        elif isinstance(ev, events.Program):
            self.messages.append(render_program(ev.program, ev.attempt or 1))
        elif isinstance(ev, events.Step):
            img = decode_data_url(ev.image)
            thumb = None
            if img is not None:
                caption = self._caption(step_title(ev.step))
                if self.sink is not None:
                    saved = self.sink(img, caption)
                    self.gallery.append((saved, caption))
                    thumb = FILE_ROUTE + str(saved)
                else:
                    thumb = thumbnail_data_url(img)
                    self.gallery.append((img, caption))
            self.messages.append(render_step(ev.step, thumb))
        elif isinstance(ev, events.Retrieval):
            self.messages.append(render_retrieval(ev))
            for item in ev.items:
                img = load_thumbnail(item.thumbnail_path) if item.modality == "image" else None
                if img is not None:
                    caption = self._caption(f"retrieved: {str(item.source or item.id)[:60]}")
                    self.gallery.append((self.sink(img, caption) if self.sink else img, caption))
        elif isinstance(ev, events.WarningEvent):
            self._status("Warning: " + ev.text)
        elif isinstance(ev, events.ErrorEvent):
            self.finish()
            self.messages.append(render_error(ev.error or {}))
        elif isinstance(ev, events.AnswerEvent):
            self.answer = ev.answer
            self.finish()
            self.messages.append(render_answer(self.answer))
