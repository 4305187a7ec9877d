"""One self-contained HTML page for an Answer: question, answer, program, each step with its picture."""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.answer import Answer

_CSS = ("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #ccc;padding:6px;vertical-align:top}img{max-width:360px}pre{background:#f6f6f6;"
        "padding:8px;white-space:pre-wrap}.warn{color:#a60}.err{color:#b00}")


def answer_to_html(answer: Answer) -> str:
    e = html.escape
    rows = []
    for i, step in enumerate(answer.steps):
        img = answer.step_images.get(i)
        pic = f'<img src="{img}" alt="step {i}">' if img else ""
        args = "<br>".join(f"<b>{e(str(k))}</b>={e(json.dumps(v, default=str)[:200])}" for k, v in step.get("args", {}).items())
        err = f'<div class="err">{e(step["error"].get("message", ""))}</div>' if step.get("error") else ""
        facts = "".join(f"<li>{e(str(f))}</li>" for f in step.get("facts") or ())
        rows.append(f"<tr><td>{e(str(step.get('line')))}</td><td><code>{e(step.get('module', ''))}</code></td>"
                    f"<td>{args}</td><td>{e(str(step.get('summary', '')))}{err}"
                    f"{f'<ul>{facts}</ul>' if facts else ''}</td><td>{pic}</td><td>{step.get('ms', 0):.1f}</td></tr>")
    evidence = "".join(f"<li>{e(json.dumps(item, default=str)[:600])}</li>" for item in answer.evidence)
    warnings = "".join(f'<li class="warn">{e(w)}</li>' for w in answer.warnings)
    timings = ", ".join(f"{k} {v:.2f}" for k, v in answer.timings.items())
    tried = "".join(f"<pre>{e(t['program'])}</pre><p class='err'>{e(str((t.get('error') or {}).get('message', '')))}</p>"
                    for t in answer.programs_tried[:-1])
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>visreason: {e(answer.question)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{e(answer.question)}</h1>"
        f"<p><b>Answer:</b> {e(answer.answer)}</p><p>{e(answer.explanation)}</p>"
        f"{f'<ul>{warnings}</ul>' if warnings else ''}"
        f"<h2>Program ({e(answer.plan_kind)})</h2><pre>{e(answer.program)}</pre>"
        f"{f'<details><summary>earlier attempts</summary>{tried}</details>' if tried else ''}"
        "<h2>Steps</h2><table><tr><th>line</th><th>module</th><th>inputs</th><th>output</th><th>picture</th>"
        f"<th>ms</th></tr>{''.join(rows)}</table><h2>Evidence</h2><ul>{evidence}</ul>"
        f"<p><small>timings (s): {e(timings)}</small></p></body></html>"
    )
