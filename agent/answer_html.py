"""One self-contained HTML page for an Answer, VisProg's visual rationale done readably: the question and
its answer, the input pictures, the program, then each step in plain words with its picture."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from agent.trace import format_args

if TYPE_CHECKING:
    from agent.answer import Answer

_CSS = ("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;padding:0 1em;line-height:1.45}"
        "h1{font-size:1.5em}.answer{font-size:1.3em}figure{margin:0 0 1em 0;display:inline-block;vertical-align:top}"
        "figure img{max-width:min(100%,720px);border:1px solid #ccc}figcaption{color:#555;font-size:.9em}"
        "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}.step{border-top:1px solid #ddd;padding:.8em 0}"
        ".step h3{margin:.2em 0;font-size:1.05em}.warn{color:#a60}.err{color:#b00}code{background:#f3f3f3}"
        "a.pic img{cursor:zoom-in}")

PLANNED = {"memory": "from the program memory (no LLM call)", "llm": "written by the LLM",
           "cache": "reused: the same question was planned before", "rule": "by rule"}
KIND = {"program": "", "cot": " (answered through sub-questions)", "fallback": " (direct fallback, flagged)"}


def _planned(answer: Answer) -> str:
    source = answer.planned_by.get("source", "")
    text = PLANNED.get(source, "")
    if source == "memory" and answer.planned_by.get("template"):
        text += f", template {answer.planned_by['template']}"
    return text


def _evidence(item: Any) -> str:
    """One piece of evidence in plain words (never a raw dict)."""
    e = html.escape
    if not isinstance(item, dict):
        return e(str(item))
    kind = item.get("kind")
    if kind == "program_result":
        return f"The program's result: <b>{e(_plain(item.get('value')))}</b>"
    if kind == "subanswer":
        return f"Sub-question <i>{e(str(item.get('question', '')))}</i>: {e(str(item.get('answer', '')))}"
    if kind == "retrieval":
        sources = ", ".join(str(s) for s in item.get("sources") or [])
        return (f"From the knowledge base: <b>{e(str(item.get('answer', '')))}</b>. {e(str(item.get('explanation', '')))}"
                + (f" <small>({e(sources)})</small>" if sources else ""))
    if item.get("source") or item.get("id"):
        return f"{e(str(item.get('source') or item.get('id')))}: {e(str(item.get('snippet') or item.get('quote') or ''))}"
    return e(_plain(item))


def _plain(value: Any, limit: int = 300) -> str:
    if isinstance(value, dict) and "boxes" in value:
        labels = value.get("labels") or []
        return f"{len(value['boxes'])} box{'es' if len(value['boxes']) != 1 else ''}" + (
            f" ({', '.join(sorted(set(map(str, labels))))})" if labels else "")
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_to_html(answer: Answer) -> str:
    e = html.escape
    inputs = "".join(
        f'<figure><a class="pic" href="{url}" target="_blank"><img src="{url}" alt="input image {e(name)}"></a>'
        f"<figcaption>{e(name)}</figcaption></figure>" for name, url in answer.input_images.items())
    steps = []
    for i, step in enumerate(answer.steps):
        img = answer.step_images.get(i)
        head = f"Step {e(str(step.get('line', i + 1)))}: <code>{e(str(step.get('target') or ''))}"
        head += f"{'=' if step.get('target') else ''}{e(str(step.get('module', '')))}({e(format_args(step.get('args', {})))})</code>"
        err = f'<p class="err">Error: {e(str(step["error"].get("message", "")))}</p>' if step.get("error") else ""
        facts = "".join(f"<li>{e(str(f))}</li>" for f in step.get("facts") or ())
        pic = (f'<figure><a class="pic" href="{img}" target="_blank"><img src="{img}" alt="picture of step '
               f'{i + 1}"></a></figure>') if img else ""
        steps.append(f'<div class="step"><h3>{head}</h3><p>gave <b>{e(str(step.get("summary", "")))}</b> '
                     f'<small>({float(step.get("ms", 0) or 0):.0f} ms)</small></p>{err}'
                     f"{f'<ul>{facts}</ul>' if facts else ''}{pic}</div>")
    evidence = "".join(f"<li>{_evidence(item)}</li>" for item in answer.evidence)
    warnings = "".join(f'<li class="warn">{e(w)}</li>' for w in answer.warnings)
    timings = ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in answer.timings.items())
    tried = "".join(f"<pre>{e(t['program'])}</pre><p class='err'>{e(str((t.get('error') or {}).get('message', '')))}</p>"
                    for t in answer.programs_tried[:-1])
    planned = _planned(answer)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>visreason: {e(answer.question)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{e(answer.question)}</h1>"
        f"<p class='answer'><b>Answer:</b> {e(answer.answer)}</p><p>{e(answer.explanation)}</p>"
        f"{f'<ul>{warnings}</ul>' if warnings else ''}"
        f"{f'<h2>Input images</h2>{inputs}' if inputs else ''}"
        f"<h2>Program{e(KIND.get(answer.plan_kind, ''))}</h2>"
        f"{f'<p><small>{e(planned)}</small></p>' if planned else ''}<pre>{e(answer.program)}</pre>"
        f"{f'<details><summary>earlier attempts that failed</summary>{tried}</details>' if tried else ''}"
        f"<h2>Steps</h2>{''.join(steps) or '<p>(no steps)</p>'}"
        f"{f'<h2>Evidence</h2><ul>{evidence}</ul>' if evidence else ''}"
        f"<p><small>time: {e(timings)}</small></p></body></html>"
    )
