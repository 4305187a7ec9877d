"""Result types of the knowledge base (one retrieved item ``Hit``, one stored item) and the KB as searchers see it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

MODALITIES = ("text", "image")


@dataclass(frozen=True)
class Hit:
    """One retrieved KB item. ``id`` (e.g. ``K12``) is what answers cite."""

    id: str
    source: str
    modality: str  # text | image
    text: str  # chunk text, or the image's description
    score: float
    metadata: dict = field(default_factory=dict)
    thumbnail_path: str | None = None

    @property
    def snippet(self) -> str:
        words = self.text.split()
        return " ".join(words[:40]) + (" ..." if len(words) > 40 else "")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["snippet"] = self.snippet
        return data


@dataclass(frozen=True)
class Item:
    """One item to store: a text chunk or an image (with its textual description)."""

    source: str
    modality: str
    text: str
    chunk_index: int = 0
    metadata: dict = field(default_factory=dict)
    image_path: str | None = None


def item_id(rowid: int) -> str:
    return f"K{rowid}"


def parse_item_id(text: str) -> int | None:
    if len(text) > 1 and text[0] in "Kk" and text[1:].isdigit():
        return int(text[1:])
    return None


@dataclass
class RetrievalResult:
    answer: str
    explanation: str = ""
    sub_answers: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)  # {"id", "source", "modality", "snippet", "thumbnail_path"}
    retrieval_calls: int = 0
    turns: int = 0
    stopped_by: str = "sufficient"  # sufficient | complete (a grounded span) | time | budget | exhausted
    llm_calls: int = 0
    span: dict | None = None  # the exact answer span: document, line, quote (retrieval.spans.Span)
    identification: list[dict] = field(default_factory=list)  # what the photo shows, in order of trust
    photo_match: dict | None = None  # the KB photo the input image matched (confident or not)
    partial: bool = False  # stopped before an answer was grounded: the best so far, said so
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class SearchableKB(Protocol):
    """What the loop, its actions and the agent use of a knowledge base (:class:`retrieval.kb.KnowledgeBase`)."""

    def search_text(self, query: str, k: int = 5) -> list[Hit]: ...

    def search_image(self, img: Any, k: int = 5) -> list[Hit]: ...

    def search_images_by_text(self, query: str, k: int = 5) -> list[Hit]: ...
