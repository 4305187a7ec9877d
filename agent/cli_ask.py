"""``visreason ask``: one question about one or more images, through the agent."""

from __future__ import annotations

import sys
from pathlib import Path

from agent import events


def register(sub) -> None:
    from agent.cli import add_llm_argument

    p = sub.add_parser("ask", help="answer a question about images with the agent")
    p.add_argument("question", help="the question about the image(s), in quotes")
    p.add_argument("--image", action="append", required=True, help="image path (repeat for several images)")
    p.add_argument("--kb", help="knowledge-base directory for questions that need outside facts")
    add_llm_argument(p)
    p.add_argument("--json", action="store_true", help="print the full Answer as JSON")
    p.add_argument("--html", metavar="OUT.html", help="write the visual rationale page")
    p.add_argument("--quiet", action="store_true", help="print only the answer")
    p.set_defaults(func=run)


def run(args) -> int:
    from agent.cli import config_from_args
    from agent.reasoner import Reasoner

    config = config_from_args(args)
    reasoner = Reasoner(config)
    live = not (args.json or args.quiet)
    answer = None
    for event in reasoner.stream(args.question, args.image, args.kb):
        if event["type"] == "answer":
            answer = event["answer"]
        elif live:
            _print_event(event)
    if args.html:
        Path(args.html).write_text(answer.to_html(), encoding="utf-8")
        print(f"visual rationale written to {Path(args.html).resolve()}", file=sys.stderr)
    if args.json:
        print(answer.dumps())
    elif args.quiet:
        print(answer.answer)
    else:
        print(f"\nAnswer: {answer.answer}\n{answer.explanation}")
        for warning in answer.warnings:
            print(f"warning: {warning}")
        planned = answer.planned_by.get("source")
        if planned == "memory":
            print(f"planned from memory: template {answer.planned_by['template']} "
                  f"(similarity {answer.planned_by['similarity']:.2f}), no LLM call for the program")
        t = answer.timings
        print(f"time: {t.get('total_s', 0):.2f}s (llm {t.get('llm_s', 0):.2f}s, tools {t.get('tools_s', 0):.2f}s)")
    return 0


def _print_event(event: dict) -> None:
    ev = events.parse(event)
    live = sys.stderr.isatty()
    if isinstance(ev, events.Progress):  # a heartbeat: one line on stderr, rewritten in place (a log file gets none)
        if live:
            sys.stderr.write(f"\r\x1b[K  {ev.phase[:60]} · {float(ev.elapsed_s):.0f} s")
            sys.stderr.flush()
        return
    if live:
        sys.stderr.write("\r\x1b[K")
    if isinstance(ev, events.Program):
        label = f" for sub-question {ev.subquestion!r}" if ev.subquestion else ""
        print(f"Program (attempt {ev.attempt}){label}:\n{ev.program}\n")
    elif isinstance(ev, events.Step):
        s = ev.step
        print(f"  [{s['line']}] {s['module']:<12} {s.get('summary', '')[:100]}  ({s['ms']:.0f} ms)")
    elif isinstance(ev, events.Retrieval):
        ids = ", ".join(i.id for i in ev.items)
        print(f"  retrieval turn {ev.turn}: {ev.action} {ev.query!r} -> [{ids}]"
              + (f": {ev.sub_answer[:80]}" if ev.sub_answer else ""))
    elif isinstance(ev, events.Status | events.WarningEvent):
        print(f"  {ev.kind}: {ev.text}")
    elif isinstance(ev, events.ErrorEvent):
        e = ev.error
        print(f"  error: {e.get('type')} (line {e.get('line')}): {e.get('message')}")
    sys.stdout.flush()
