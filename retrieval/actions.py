"""The fixed action set of the adaptive loop, its JSON schemas, validation and execution.

The decision maker may only pick one of ``ACTIONS``; what it writes is parsed and validated
here (the schema is also sent for constrained decoding, but no backend is trusted to obey),
and anything invalid becomes a safe read-only text search. Retrieved text is data: it is
shown to the LLM only inside ``<<<DOC ...>>> ... <<<END>>>`` blocks, with delimiter
look-alikes inside documents defused, and nothing in it is ever executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent.prompting import parse_json_reply as parse_json_object  # one JSON-reply parser for every LLM role
from retrieval.types import Hit

ACTIONS = ("image_search", "text_search", "image_search_by_text", "no_retrieval")

DECOMPOSE_SCHEMA = {
    "type": "object",
    "properties": {"sub_questions": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 4}},
    "required": ["sub_questions"],
}

DECISION_SCHEMA = {
    "type": "object",
    "properties": {
        "sufficient": {"type": "boolean"},
        "sub_question": {"type": "string"},
        "action": {"type": "string", "enum": list(ACTIONS)},
        "query": {"type": "string"},
        "crop": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
    },
    "required": ["sufficient", "sub_question", "action", "query"],
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


@dataclass(frozen=True)
class Decision:
    sufficient: bool
    sub_question: str
    action: str
    query: str
    crop: tuple[float, float, float, float] | None = None
    valid: bool = True  # False when the LLM output was unusable and this is the fallback

    def to_dict(self) -> dict[str, Any]:
        return {"sufficient": self.sufficient, "sub_question": self.sub_question, "action": self.action,
                "query": self.query, "crop": list(self.crop) if self.crop else None, "valid": self.valid}


def parse_decision(text: str, fallback_question: str, *, has_image: bool) -> Decision:
    safe = Decision(False, fallback_question, "text_search", fallback_question, None, valid=False)
    data = parse_json_object(text)
    if data is None:
        return safe
    sufficient, action = data.get("sufficient"), data.get("action")
    sub_q, query = data.get("sub_question", ""), data.get("query", "")
    if not isinstance(sufficient, bool) or not isinstance(sub_q, str) or not isinstance(query, str):
        return safe
    if sufficient:
        return Decision(True, sub_q.strip(), "no_retrieval", "")
    if action not in ACTIONS:
        return safe
    sub_q = sub_q.strip() or fallback_question
    query = query.strip()[:300] or sub_q
    if action in ("image_search",) and not has_image:
        return Decision(False, sub_q, "text_search", query, None, valid=False)
    crop = data.get("crop")
    box = None
    if action == "image_search" and isinstance(crop, list) and len(crop) == 4 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in crop):
        box = tuple(float(v) for v in crop)
    return Decision(False, sub_q, action, query, box)


def parse_sub_questions(text: str, question: str, limit: int = 4) -> list[str]:
    data = parse_json_object(text)
    subs = data.get("sub_questions") if data else None
    if not isinstance(subs, list):
        return [question]
    clean = [s.strip()[:300] for s in subs if isinstance(s, str) and s.strip()]
    return clean[:limit] or [question]


def crop_image(image, box: tuple[float, float, float, float] | None):
    """Crop to ``box`` (pixels xyxy, clamped); an empty or missing box keeps the whole image."""
    if image is None or box is None:
        return image
    w, h = image.size
    x1, y1, x2, y2 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x2 - x1 < 2 or y2 - y1 < 2:
        return image
    return image.crop((int(x1), int(y1), int(x2), int(y2)))


def execute(decision: Decision, kb: Any, image: Any, k: int = 4) -> list[Hit]:
    """Run one of the fixed actions. No other code path reaches the KB from the loop."""
    handlers = {
        "image_search": lambda: kb.search_image(crop_image(image, decision.crop), k),
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
