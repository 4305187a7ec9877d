"""Reading an LLM's reply: one JSON-object parser for every role (planner, decide, refine, retrieval)."""

from __future__ import annotations

import json


def parse_json_reply(text: str) -> dict | None:
    """The first JSON object in ``text``: backends without constraints may wrap it in prose or fences."""
    start = text.find("{")
    if start < 0:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
