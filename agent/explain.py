"""Plain-word explanations written from the trace: what each step found, in the user's terms.

One writer for every interface (CLI, app, HTML page, batch records). Values are summarised by
kind: boxes as "4 people", images as "the image", text quoted. No Python reprs, no internal
variable dicts; an explanation is built only from what the steps recorded, so it cannot claim
more than the tools found.
"""

from __future__ import annotations

import re
from typing import Any

_IRREGULAR_PLURALS = {"person": "people", "mouse": "mice", "knife": "knives", "sheep": "sheep", "skis": "skis",
                      "scissors": "scissors", "bus": "buses", "glass": "glasses", "couch": "couches", "man": "men",
                      "woman": "women", "child": "children", "face": "faces", "wine glass": "wine glasses"}
_CROP_WORDS = {"CROP": "the part of the image inside the box", "CROP_LEFTOF": "the part of the image left of it",
               "CROP_RIGHTOF": "the part of the image right of it", "CROP_ABOVE": "the part of the image above it",
               "CROP_BELOW": "the part of the image below it"}


def plural(noun: str, n: int) -> str:
    if n == 1:
        return noun
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def describe_value(value: Any) -> str:
    """A value as a person would say it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, dict) and "boxes" in value:
        return _boxes(value)
    if isinstance(value, dict) and "image" in value:
        return "the image"
    if isinstance(value, dict) and "var" in value:
        return describe_value(value.get("value"))
    if isinstance(value, str):
        text = " ".join(value.split())
        if text in {"True", "False"}:
            return "yes" if text == "True" else "no"
        if re.fullmatch(r"image \d+x\d+", text):
            return "the image"
        return f'"{text[:160]}{"…" if len(text) > 160 else ""}"' if len(text.split()) > 3 else text
    if isinstance(value, list):
        return ", ".join(describe_value(v) for v in value[:8])
    if value is None:
        return "nothing"
    return "a value"


def _boxes(det: dict) -> str:
    labels = list(det.get("labels") or [])
    if not labels:
        return "nothing"
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{n} {plural(label, n)}" for label, n in counts.items())


def _arg(step: dict, name: str) -> Any:
    value = (step.get("args") or {}).get(name)
    return value.get("value") if isinstance(value, dict) and "var" in value else value


def describe_step(step: dict, values: dict[str, str]) -> str:
    module = str(step.get("module", "")).upper()
    output = step.get("output")
    if step.get("error"):
        return f"step {step.get('line')} ({module}) failed: {step['error'].get('message', '')}"
    if module == "LOC":
        what = str(_arg(step, "object") or "object")
        if what.upper() in {"LEFT", "RIGHT", "TOP", "BOTTOM"}:
            return f"took the {what.lower()} half of the image"
        n = len(output.get("boxes", [])) if isinstance(output, dict) else 0
        notes = output.get("notes") if isinstance(output, dict) else None
        if n == 0 and notes:
            return f"the detector cannot look for {what!r} ({'; '.join(notes)})"
        return f"the detector found {n or 'no'} {plural(what, n)}" + (" (boxes on the picture)" if n else "")
    if module == "FACEDET":
        n = len(output.get("boxes", [])) if isinstance(output, dict) else 0
        return f"the face detector found {n or 'no'} {plural('face', n)}"
    if module == "COUNT":
        return f"counting them gives {describe_value(output)}"
    if module in _CROP_WORDS:
        return f"looked at {_CROP_WORDS[module]}"
    if module == "COLOR":
        return f"the colour there is {describe_value(output)}"
    if module == "OCR":
        text = " ".join(str(output or "").split())
        return f'the text read there is "{text[:160]}"' if text else "no text could be read there"
    if module == "EVAL":
        expr = str(_arg(step, "expr") or "")
        filled = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(1)), expr)
        return f"checking {filled} gives {describe_value(output)}"
    if module == "CLASSIFY":
        return f"the image classifier sees {describe_value(output)}"
    if module == "SCENE":
        aspect = "day or night" if _arg(step, "aspect") in (None, "day_night") else "indoors or outdoors"
        return f"judging {aspect} from the picture's light and content gives {describe_value(output)}"
    if module in {"VQA", "CAPTION"}:
        return f"{module} answered {describe_value(output)} from what the tools saw"
    if module == "RESULT":
        return ""
    return f"{module} gave {describe_value(output)}"


def explain(steps: list[dict], answer: str) -> str:
    """"The detector found 4 people (boxes on the picture); counting them gives 4. Answer: 4." """
    values: dict[str, str] = {}
    parts = []
    for step in steps:
        target = step.get("target")
        text = describe_step(step, values)
        if target:
            values[str(target)] = describe_value(step.get("output"))
        if text:
            parts.append(text)
    if not parts:
        return f"The answer is {answer}."
    body = "; ".join(parts)
    return f"{body[0].upper()}{body[1:]}. The answer is {answer}."
