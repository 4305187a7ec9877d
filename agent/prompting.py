"""Chat messages for each controller role. Prompt text lives in ``prompts/`` as data files.

Tool output, OCR text and retrieved documents enter prompts only through ``as_data``:
inside delimiters, with delimiter look-alikes neutralised, so they stay data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from agent.examples import PROMPTS_DIR, Example
from agent.llm.base import Message

DATA_OPEN, DATA_CLOSE = "<<<DATA", "DATA>>>"


@cache
def prompt_text(name: str) -> str:
    return (PROMPTS_DIR / name).read_text()


def as_data(text: str, limit: int = 4000) -> str:
    clean = text.replace("<<<", "« ").replace(">>>", " »")[:limit]
    return f"{DATA_OPEN}\n{clean}\n{DATA_CLOSE}"


def history_block(history: Sequence[dict] | None) -> str:
    if not history:
        return ""
    lines = [f"Q: {turn.get('question', '')}\nA: {turn.get('answer', '')}" for turn in history[-3:]]
    return "Earlier in this conversation:\n" + "\n".join(lines) + "\n"


def plan_messages(question: str, examples: Sequence[Example], module_docs: str, image_names: Sequence[str],
                  history: Sequence[dict] | None = None, draft: str | None = None) -> list[Message]:
    system = prompt_text("plan_system.txt").format(module_docs=module_docs, image_names=", ".join(image_names))
    messages: list[Message] = [{"role": "system", "content": system}]
    for ex in examples:
        messages.append({"role": "user", "content": f"Question: {ex.question}"})
        messages.append({"role": "assistant", "content": ex.program})
    hint = (f"A program that answered a similar question (adapt it if this question differs):\n{draft}\n"
            if draft else "")
    messages.append({"role": "user", "content": f"{history_block(history)}{hint}Question: {question}"})
    return messages


def repair_messages(plan: list[Message], question: str, program: str, error: str) -> list[Message]:
    fix = prompt_text("repair.txt").format(question=question, program=program, error=error)
    return plan[:-1] + [{"role": "user", "content": fix}]


def evidence_text(evidence: Sequence[dict], steps: Sequence[dict], result: Any) -> str:
    lines = []
    for step in steps[-12:]:
        if step.get("module") == "OCR" and isinstance(step.get("output"), str):
            lines.append(f"text read from the image by OCR, line by line:\n{step['output'][:1500]}")
        else:
            lines.append(f"step {step.get('module')} -> {step.get('summary') or step.get('output')}")
    if result is not None:
        text = result if isinstance(result, str) else json.dumps(result, default=str)
        lines.append(f"program result: {text[:1500]}")
    for item in evidence:
        if item.get("kind") == "subanswer":
            lines.append(f"sub-question: {item['question']} -> {item['answer']}")
        elif item.get("kind") == "retrieval":
            lines.append(f"knowledge base answer: {item.get('answer')} (sources: {', '.join(item.get('sources', []))})")
        elif item.get("kind") == "facts":
            lines.append(f"facts: {item.get('text')}")
    return "\n".join(lines)


def decide_messages(question: str, evidence: str, kb_available: bool) -> list[Message]:
    system = prompt_text("decide_system.txt").format(kb_available="yes" if kb_available else "no")
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Question: {question}\nEvidence:\n{as_data(evidence)}"},
    ]


def subquestion_messages(question: str, history: Sequence[dict] | None = None) -> list[Message]:
    return [
        {"role": "system", "content": prompt_text("subquestions_system.txt").format()},
        {"role": "user", "content": f"{history_block(history)}Question: {question}"},
    ]


def refine_messages(question: str, evidence: str) -> list[Message]:
    return [
        {"role": "system", "content": prompt_text("refine_system.txt").format()},
        {"role": "user", "content": f"Question: {question}\nEvidence:\n{as_data(evidence)}"},
    ]


DECIDE_SCHEMA = {
    "type": "object",
    "properties": {
        "next": {"type": "string", "enum": ["answer", "subquestions", "retrieve"]},
        "reason": {"type": "string"},
        "sufficient": {"type": "boolean"},
    },
    "required": ["sufficient", "next", "reason"],
}
SUBQUESTION_SCHEMA = {
    "type": "object",
    "properties": {"subquestions": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3}},
    "required": ["subquestions"],
}
REFINE_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "explanation": {"type": "string"}},
    "required": ["answer", "explanation"],
}


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
