"""The fixed action set of the adaptive loop, its JSON schemas, validation and execution.

The decision maker may only pick one of ``ACTIONS`` or ``STOP``. ``ACTIONS``, the decide schema's enum and
the decider prompt's list are all built from ``REGISTRY``: a new action is one ``RetrievalAction`` in any
module (see retrieval/action_handlers.py) plus one line there. What the decision maker writes is parsed and validated
here (the schema is also sent for constrained decoding, but no backend is trusted to obey),
and anything invalid becomes a safe read-only text search. Retrieved text is data: it is
shown to the LLM only inside ``<<<DOC ...>>> ... <<<END>>>`` blocks, with delimiter
look-alikes inside documents defused, and nothing in it is ever executed.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from PIL import Image

from agent.llm.replies import parse_json_reply as parse_json_object  # one JSON-reply parser for every LLM role
from agent.plugins import load_callable
from retrieval.action_handlers import ActionRequest, Box, Locate, RetrievalAction, crop_image
from retrieval.types import Hit, SearchableKB

# The retrieval actions: name -> "module:RetrievalAction" (imported when first used). Order is the decider
# prompt's order. A new action is one RetrievalAction (its search, its prompt doc, its flags) plus one line.
REGISTRY: dict[str, str] = {
    "text_search": "retrieval.action_handlers:TEXT_SEARCH",
    "image_search": "retrieval.action_handlers:IMAGE_SEARCH",
    "image_search_by_text": "retrieval.action_handlers:IMAGE_SEARCH_BY_TEXT",
    "no_retrieval": "retrieval.action_handlers:NO_RETRIEVAL",
}
ACTIONS = tuple(REGISTRY)
__all__ = ["ACTIONS", "CITED_ANSWER_SCHEMA", "REGISTRY", "STOP", "Box", "Decision", "action", "action_docs", "crop_image", "execute"]


@functools.cache
def action(name: str) -> RetrievalAction:
    """The registered action ``name`` (a ValueError for any other name)."""
    if name not in REGISTRY:
        raise ValueError(f"action {name!r} is not one of {ACTIONS}")
    found = load_callable(REGISTRY[name], f"retrieval action {name!r}")
    if not isinstance(found, RetrievalAction):
        raise TypeError(f"{REGISTRY[name]} is not a RetrievalAction")
    return found


def action_docs() -> str:
    """The decider prompt's list: ``name (doc), ...`` in registry order."""
    return ", ".join(f"{name} ({action(name).doc})" for name in ACTIONS)

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

# The baselines' one-call answer with the KB documents it cites. Named apart from agent.prompting.REFINE_SCHEMA
# (answer + explanation of the visual program's evidence): that refiner has no documents to cite.
CITED_ANSWER_SCHEMA = {
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
    name, query, focus = data.get("action"), data.get("query", ""), data.get("focus", "")
    if not isinstance(query, str) or not isinstance(focus, str):
        return safe
    if name == STOP:
        return Decision(True, sub_question, "no_retrieval", "")
    if name not in ACTIONS:
        return safe
    query = query.strip()[:300] or sub_question
    chosen = action(name)
    if chosen.needs_image and not has_image:
        return Decision(False, sub_question, "text_search", query, valid=False)
    return Decision(False, sub_question, name, query, focus.strip()[:60] if chosen.uses_focus else "")


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


def execute(decision: Decision, kb: SearchableKB, image: Image.Image | None, k: int = 4,
            locate: Locate | None = None) -> list[Hit]:
    """Run one of the registered actions. No other code path reaches the KB from the loop.

    ``locate(image, label)`` finds the box of the object an image search focuses on; without
    it, or when the object is not found, the whole image is searched.
    """
    chosen = action(decision.action)  # a ValueError for an unregistered name (unreachable after parse_decision)
    return chosen(ActionRequest(decision.query, decision.focus, kb, image, k, locate))


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
