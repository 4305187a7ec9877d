"""The fixed action set of the adaptive loop, its JSON schemas, validation and execution.

The decision maker may only pick one of ``ACTIONS`` or ``STOP``; what it writes is parsed and validated
here (the schema is also sent for constrained decoding, but no backend is trusted to obey),
and anything invalid becomes a safe read-only text search. Retrieved text is data: it is
shown to the LLM only inside ``<<<DOC ...>>> ... <<<END>>>`` blocks, with delimiter
look-alikes inside documents defused, and nothing in it is ever executed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.llm.replies import parse_json_reply as parse_json_object  # one JSON-reply parser for every LLM role
from retrieval.types import Hit

ACTIONS = ("image_search", "text_search", "image_search_by_text", "no_retrieval")

STOP = "answer"  # not a retrieval action: the decision maker judges the evidence sufficient

# The reader's reply: the answer exactly as a document writes it, and that document's id.
READ_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "doc": {"type": "string"}},
    "required": ["answer", "doc"],
}

# Property order is generation order (the backends keep it): choose the action, then write its query.
DECISION_SCHEMA = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": [*ACTIONS, STOP]},
        "query": {"type": "string"},
        "focus": {"type": "string"},
    },
    "required": ["action", "query", "focus"],
}

REFINE_SCHEMA = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "explanation": {"type": "string"},
        "citations": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["answer", "explanation", "citations"],
}

_DELIM = re.compile(r"<{3,}|>{3,}")
_ID = re.compile(r"\bK\d+\b")
_ANSWER_FIELD = re.compile(r'"answer"\s*:\s*"((?:[^"\\]|\\.)*)"')

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Decision:
    sufficient: bool
    sub_question: str
    action: str
    query: str
    focus: str = ""  # an object label from the image facts; image_search crops to it
    valid: bool = True  # False when the LLM output was unusable and this is the fallback

    def to_dict(self) -> dict[str, Any]:
        return {"sufficient": self.sufficient, "sub_question": self.sub_question, "action": self.action,
                "query": self.query, "focus": self.focus, "valid": self.valid}


def parse_decision(text: str, sub_question: str, *, has_image: bool) -> Decision:
    """The decision for ``sub_question``; anything unusable becomes a text search for it."""
    safe = Decision(False, sub_question, "text_search", sub_question, valid=False)
    data = parse_json_object(text)
    if data is None:
        return safe
    action, query, focus = data.get("action"), data.get("query", ""), data.get("focus", "")
    if not isinstance(query, str) or not isinstance(focus, str):
        return safe
    if action == STOP:
        return Decision(True, sub_question, "no_retrieval", "")
    if action not in ACTIONS:
        return safe
    query = query.strip()[:300] or sub_question
    if action == "image_search" and not has_image:
        return Decision(False, sub_question, "text_search", query, valid=False)
    return Decision(False, sub_question, action, query, focus.strip()[:60] if action == "image_search" else "")


def parse_read(text: str) -> tuple[str, str]:
    """(answer, cited document id) from the reader's JSON; a cut-off or free-text reply keeps what it can."""
    data = parse_final(text)
    answer = data.get("answer") if isinstance(data.get("answer"), str) else ""
    doc = data.get("doc") if isinstance(data.get("doc"), str) else ""
    found = _ID.search(doc) or _ID.search(text)
    return " ".join(answer.split())[:200], found.group(0) if found else ""


def parse_final(text: str) -> dict:
    """The refiner's JSON; a reply cut off by the token limit still yields its answer field."""
    data = parse_json_object(text)
    if data is not None:
        return data
    found = _ANSWER_FIELD.search(text)
    if found:
        try:
            return {"answer": json.loads(f'"{found.group(1)}"')}
        except json.JSONDecodeError:
            return {"answer": found.group(1)}
    return {"answer": text.strip()} if text.strip() and "{" not in text else {}


def crop_image(image, box: Box | None):
    """Crop to ``box`` (pixels xyxy, clamped); an empty or missing box keeps the whole image."""
    if image is None or box is None:
        return image
    w, h = image.size
    x1, y1, x2, y2 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x2 - x1 < 2 or y2 - y1 < 2:
        return image
    return image.crop((int(x1), int(y1), int(x2), int(y2)))


def execute(decision: Decision, kb: Any, image: Any, k: int = 4,
            locate: Callable[[Any, str], Box | None] | None = None) -> list[Hit]:
    """Run one of the fixed actions. No other code path reaches the KB from the loop.

    ``locate(image, label)`` finds the box of the object an image search focuses on; without
    it, or when the object is not found, the whole image is searched.
    """
    def image_search() -> list[Hit]:
        box = locate(image, decision.focus) if (locate and decision.focus and image is not None) else None
        return kb.search_image(crop_image(image, box), k)

    handlers = {
        "image_search": image_search,
        "text_search": lambda: kb.search_text(decision.query, k),
        "image_search_by_text": lambda: kb.search_images_by_text(decision.query, k),
        "no_retrieval": lambda: [],
    }
    if decision.action not in handlers:  # unreachable after parse_decision; kept as a guard
        raise ValueError(f"action {decision.action!r} is not one of {ACTIONS}")
    return handlers[decision.action]()


def defuse(text: str) -> str:
    """Break delimiter look-alikes so a document cannot close its own block."""
    return _DELIM.sub(lambda m: " ".join(m.group(0)), text)


def format_items(hits: list[Hit]) -> str:
    if not hits:
        return "(no documents retrieved)"
    blocks = []
    for h in hits:
        source = defuse(h.source.replace("\n", " "))[:200]
        blocks.append(f"<<<DOC id={h.id} modality={h.modality} source={source}>>>\n{defuse(h.text)}\n<<<END>>>")
    return "\n".join(blocks)


def cited_ids(text: str, allowed: set[str]) -> list[str]:
    out: list[str] = []
    for found in _ID.findall(text):
        if found in allowed and found not in out:
            out.append(found)
    return out
