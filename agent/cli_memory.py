"""``visreason memory list|show|add|forget|export|import|reset|match``: inspect and manage the program memory."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from agent.errors import InputError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "memory", help="the program memory: verified programs reused without the LLM",
        description="Programs that gave verified answers, stored as templates with typed slots "
                    "(«OBJ0» object, «COL0» colour, «NUM0» number, «TXT0» quoted text, «QUESTION»). "
                    "Seeds come from prompts/program_examples.jsonl; learned entries from "
                    "`visreason batch --learn`, thumbs-up in the app, or `memory add`.")
    sub = parser.add_subparsers(dest="memory_command", required=True)

    p = sub.add_parser("list", help="every template: id, source, slots, example question")
    p.add_argument("--source", choices=["seed", "learned", "thumbs-up", "user"], help="only this source")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=_list)

    p = sub.add_parser("show", help="one template in full")
    p.add_argument("id", help="template id (from `memory list`)")
    p.add_argument("--json", action="store_true", help="print the template as JSON")
    p.set_defaults(func=_show)

    p = sub.add_parser("add", help="remember a program for a question (checked like an LLM's program)")
    p.add_argument("question", help="the question the program answers")
    p.add_argument("--program-file", required=True, help="file with the program, one step per line")
    p.add_argument("--images", type=int, default=1, choices=[1, 2], help="number of input images (default 1)")
    p.set_defaults(func=_add)

    p = sub.add_parser("forget", help="remove a template (a seed too)")
    p.add_argument("id", help="template id (from `memory list`)")
    p.set_defaults(func=_forget)

    p = sub.add_parser("export", help="write learned templates as JSONL")
    p.add_argument("--out", required=True, help="output file ('-' = stdout)")
    p.add_argument("--all", action="store_true", help="include the seeds")
    p.set_defaults(func=_export)

    p = sub.add_parser("import", help="add templates from a JSONL export (each one re-checked)")
    p.add_argument("file", help="a JSONL file written by `memory export`")
    p.set_defaults(func=_import)

    p = sub.add_parser("learn", help="learn the programs of a batch's results whose answers scored right")
    p.add_argument("results", help="results JSONL written by `visreason batch`")
    p.add_argument("--gold", required=True, help="the batch's input JSONL, with gold \"answer\" per id")
    p.set_defaults(func=_learn)

    p = sub.add_parser("reset", help="forget everything learned; the seeds remain")
    p.set_defaults(func=_reset)

    p = sub.add_parser("match", help="which template a question would use (no images, no LLM)")
    p.add_argument("question", help="a question to plan from memory (nothing is run)")
    p.add_argument("--images", type=int, default=1, choices=[1, 2], help="number of input images (default 1)")
    p.add_argument("--json", action="store_true", help="print the match as JSON")
    p.set_defaults(func=_match)


def _memory(args: argparse.Namespace, *, embed: bool = False):
    from agent.cli import config_from_args
    from agent.memory import open_memory
    from tools.catalog import default_registry

    config = config_from_args(args)
    embedder = None
    if embed:
        from retrieval.embedders import text_embedder

        embedder = text_embedder(config).embed_texts
    memory = open_memory(config, default_registry(), embedder)
    memory.entries()
    if memory.error is not None:
        raise memory.error
    return memory


def _names(n: int) -> list[str]:
    return ["IMAGE"] if n == 1 else ["LEFT", "RIGHT", "IMAGE_0", "IMAGE_1"]


def _list(args: argparse.Namespace) -> int:
    entries = [e for e in _memory(args).entries() if not args.source or e.source == args.source]
    for e in entries:
        if args.json:
            print(json.dumps(e.to_json()))
        else:
            slots = ",".join(e.slots) or "-"
            print(f"{e.id}  {e.source:<9} {e.n_images} img  slots={slots:<9} {e.question}")
    if not args.json:
        print(f"{len(entries)} templates", file=sys.stderr)
    return 0


def _show(args: argparse.Namespace) -> int:
    entry = _memory(args).find(args.id)
    if entry is None:
        raise InputError(f"no template with id {args.id!r}", hint="`visreason memory list` shows the ids")
    if args.json:
        print(json.dumps(entry.to_json(), indent=2))
        return 0
    print(f"template {entry.id} ({entry.source}, {entry.n_images} image(s))")
    print(f"learned from: {entry.question}")
    print(f"question shape: {' '.join(entry.key)}")
    print(f"slots: {', '.join(f'{s} ({f})' for s, f in zip(entry.slots, entry.forms, strict=True)) or 'none'}")
    print("program:")
    print(entry.program)
    return 0


def _add(args: argparse.Namespace) -> int:
    path = Path(args.program_file)
    try:
        program = path.read_text()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the program ({exc.strerror})") from None
    entry = _memory(args).learn(args.question, program.strip(), _names(args.images), source="user")
    print(f"remembered template {entry.id} (slots: {', '.join(entry.slots) or 'none'})")
    return 0


def _forget(args: argparse.Namespace) -> int:
    if not _memory(args).forget(args.id):
        raise InputError(f"no template with id {args.id!r}", hint="`visreason memory list` shows the ids")
    print(f"forgot template {args.id}")
    return 0


def _export(args: argparse.Namespace) -> int:
    entries = [e for e in _memory(args).entries() if args.all or e.source != "seed"]
    text = "".join(json.dumps(e.to_json()) + "\n" for e in entries)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text)
        print(f"wrote {len(entries)} templates to {args.out}", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    from agent.memory import Entry

    path = Path(args.file)
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: expected a JSON object")
        entries.append(Entry.from_json(row, f"{path}:{number}"))
    added = _memory(args).add_entries(entries)
    print(f"imported {added} new templates ({len(entries) - added} already known)")
    return 0


def learn_from_results(memory, results: dict[str, dict], gold: list[dict]) -> dict[str, int]:
    """Add each program whose answer scored right against gold; returns counts by outcome.

    Only plain programs are learned: a fallback or chain-of-thought plan, an error, or a program
    the memory itself supplied (nothing new) is skipped.
    """
    from agent.errors import VisreasonError
    from agent.score import score

    counts = {"learned": 0, "wrong": 0, "not_a_program": 0, "from_memory": 0, "refused": 0}
    for item in gold:
        record = results.get(str(item.get("id")))
        if record is None or not item.get("answer"):
            continue
        if record.get("error") or record.get("plan_kind", "program") != "program" or not record.get("program"):
            counts["not_a_program"] += 1
            continue
        if (record.get("planned_by") or {}).get("source") == "memory":
            counts["from_memory"] += 1
            continue
        if score({item["id"]: record.get("answer")}, [item]).accuracy < 1.0:
            counts["wrong"] += 1
            continue
        images = item.get("images") or [item.get("image")]
        try:
            memory.learn(item["question"], record["program"], _names(len(images)), source="learned")
            counts["learned"] += 1
        except VisreasonError:
            counts["refused"] += 1
    return counts


def _learn(args: argparse.Namespace) -> int:
    from agent.batch import read_gold, read_results

    counts = learn_from_results(_memory(args), read_results(args.results), read_gold(args.gold))
    print("memory learn: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
    return 0


def _reset(args: argparse.Namespace) -> int:
    from agent.cli import config_from_args
    from agent.memory import MemoryStore
    from agent.memory import memory_path as path_of

    MemoryStore(path_of(config_from_args(args))).reset()  # works on a corrupt memory too: nothing is read
    print("program memory reset: learned templates forgotten, seeds kept")
    return 0


def _match(args: argparse.Namespace) -> int:
    match = _memory(args, embed=True).lookup(args.question, _names(args.images))
    if args.json:
        print(json.dumps(None if match is None else {"template": match.entry.id, "similarity": match.similarity,
                                                      "confident": match.confident, "program": match.program}))
        return 0
    if match is None:
        print("no template: the LLM would write this program")
        return 0
    verdict = "used as is (no LLM)" if match.confident else "shown to the LLM as a draft"
    print(f"template {match.entry.id}, similarity {match.similarity:.2f}: {verdict}")
    print(match.program or "(its slots do not fill from this question)")
    return 0
