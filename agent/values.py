"""Turning program values into JSON and into short, scoreable answers."""

from __future__ import annotations

from typing import Any

from tools.types import Detections

UNKNOWN = {"", "unknown", "none", "n/a", "not sure", "i don't know", "cannot tell"}


def short_answer(value: Any) -> str:
    """The normalised answer used for scoring: "3", "yes", "red"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.3g}"
    if isinstance(value, Detections):
        return str(len(value))
    if isinstance(value, dict) and "boxes" in value:
        return str(len(value["boxes"]))
    if value is None:
        return "unknown"
    text = str(value).strip().strip(".").strip()
    lowered = text.lower()
    if lowered in {"true", "false"}:
        return "yes" if lowered == "true" else "no"
    return lowered if len(text) <= 40 else text


def is_unknown(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, Detections):
        return len(value) == 0 and bool(value.notes)
    return isinstance(value, str) and value.strip().lower().strip(".") in UNKNOWN
