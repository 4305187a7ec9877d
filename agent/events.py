"""The stream's events: one typed class per kind, used by every emitter and every consumer.

``Reasoner.stream()`` yields each event's ``to_dict()`` (plain JSON-ready dicts: a stable public
format for the CLI, the app, MCP and batch); emitters build the classes below, never raw dicts, and
consumers turn a dict back into its class with :func:`parse`, so a key spelled differently on the
two sides is a type error here rather than a silent gap (as when a KB photo was sent as
``thumbnail_path`` and read as ``thumbnail``).

Kinds, in the order a question usually produces them:

=========== =================================================================================
status      a phase begins ("writing a program", "decision: answer (...)")
progress    a heartbeat while a phase runs: elapsed seconds and the LLM's text so far
program     a program to run (attempt, and where it came from: memory, cache, sub-question)
step        one interpreter step: its trace record and its picture (PNG data URL)
retrieval   one turn of the KB loop: action, query and the items it found (KB photos with
            their thumbnail file)
warning     something the user should know about the answer
error       a typed error (``VisreasonError.to_dict()``)
answer      the last event: the :class:`agent.answer.Answer`
=========== =================================================================================
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        data = {"type": self.kind}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None or f.name in _ALWAYS:
                data[f.name] = value
        return data


_ALWAYS = {"text", "program", "attempt", "step", "image", "items", "answer", "error"}


@dataclass(frozen=True)
class Status(Event):
    kind: ClassVar[str] = "status"
    text: str


@dataclass(frozen=True)
class Progress(Event):
    kind: ClassVar[str] = "progress"
    phase: str
    elapsed_s: float
    partial: str = ""


@dataclass(frozen=True)
class Program(Event):
    kind: ClassVar[str] = "program"
    program: str
    attempt: int = 1
    cached: bool | None = None  # reused from an earlier identical question
    memory: str | None = None  # the program memory's template id
    subquestion: str | None = None


@dataclass(frozen=True)
class Step(Event):
    kind: ClassVar[str] = "step"
    step: dict  # agent.trace.StepRecord.to_dict()
    image: str | None = None  # PNG data URL of the step's picture
    index: int = 0  # the step's position in this question's trace


@dataclass(frozen=True)
class RetrievedItem:
    """One KB item a retrieval turn found; ``thumbnail_path`` is the KB's stored thumbnail of a photo."""

    id: str
    source: str
    modality: str = "text"
    snippet: str = ""
    score: float = 0.0
    thumbnail_path: str | None = None
    line: int | None = None
    quote: str | None = None
    span: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> RetrievedItem:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class Retrieval(Event):
    kind: ClassVar[str] = "retrieval"
    turn: int | None
    action: str
    query: str = ""
    items: tuple[RetrievedItem, ...] = ()
    sub_answer: str = ""
    by: str = "rule"  # rule | llm

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["items"] = [asdict(i) for i in self.items]
        return data


@dataclass(frozen=True)
class WarningEvent(Event):
    kind: ClassVar[str] = "warning"
    text: str


@dataclass(frozen=True)
class ErrorEvent(Event):
    kind: ClassVar[str] = "error"
    error: dict = field(default_factory=dict)  # {"type", "message", "line", "hint"}


@dataclass(frozen=True)
class AnswerEvent(Event):
    kind: ClassVar[str] = "answer"
    answer: Any  # agent.answer.Answer


KINDS: dict[str, type[Event]] = {c.kind: c for c in (Status, Progress, Program, Step, Retrieval, WarningEvent,
                                                     ErrorEvent, AnswerEvent)}


def parse(data: dict | Event) -> Event | None:
    """The typed event for a stream dict (None for a kind this version does not know: newer producers)."""
    if isinstance(data, Event):
        return data
    cls = KINDS.get(str(data.get("type", "")))
    if cls is None:
        return None
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in names}
    if cls is Retrieval:
        values["items"] = tuple(RetrievedItem.from_dict(i) for i in data.get("items") or [] if isinstance(i, dict))
    try:
        return cls(**values)
    except TypeError:  # a required field is missing: not an event of this kind
        return None
