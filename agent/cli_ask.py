"""``visreason ask``: one question about one or more images, through the agent."""

from __future__ import annotations

import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("ask", help="answer a question about images with the agent")
    p.add_argument("question")
    p.add_argument("--image", action="append", required=True, help="image path (repeat for several images)")
    p.add_argument("--kb", help="knowledge-base directory for questions that need outside facts")
    p.add_argument("--llm", metavar="SPEC", help="gguf:NAME_OR_PATH | openai:MODEL@URL | hf:ID_OR_PATH")
    p.add_argument("--json", action="store_true", help="print the full Answer as JSON")
    p.add_argument("--html", metavar="OUT.html", help="write the visual rationale page")
    p.add_argument("--quiet", action="store_true", help="print only the answer")
    p.set_defaults(func=run)


def run(args) -> int:
    from agent.cli import config_from_args
    from agent.reasoner import Reasoner

    config = config_from_args(args)
    if args.llm:
        from agent.llm.factory import parse_llm_spec

        config = config.replace(**parse_llm_spec(args.llm))
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
    kind = event["type"]
    live = sys.stderr.isatty()
    if kind == "progress":  # a heartbeat: one line on stderr, rewritten in place (a log file gets none)
        if live:
            sys.stderr.write(f"\r\x1b[K  {str(event.get('phase', ''))[:60]} · {float(event.get('elapsed_s', 0)):.0f} s")
            sys.stderr.flush()
        return
    if live:
        sys.stderr.write("\r\x1b[K")
    if kind == "program":
        label = f" for sub-question {event['subquestion']!r}" if event.get("subquestion") else ""
        print(f"Program (attempt {event.get('attempt', 1)}){label}:\n{event['program']}\n")
    elif kind == "step":
        s = event["step"]
        print(f"  [{s['line']}] {s['module']:<12} {s.get('summary', '')[:100]}  ({s['ms']:.0f} ms)")
    elif kind == "retrieval":
        ids = ", ".join(str(i.get("id")) for i in event.get("items", []))
        print(f"  retrieval turn {event.get('turn')}: {event.get('action')} {event.get('query', '')!r} -> [{ids}]")
    elif kind in {"status", "warning"}:
        print(f"  {kind}: {event['text']}")
    elif kind == "error":
        e = event["error"]
        print(f"  error: {e['type']} (line {e.get('line')}): {e['message']}")
    sys.stdout.flush()
