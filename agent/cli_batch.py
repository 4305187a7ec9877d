"""``visreason batch`` (answer a JSONL file of questions) and ``visreason score`` (accuracy of results)."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    from agent.cli import add_llm_argument

    batch = subparsers.add_parser(
        "batch", help="answer every question of a JSONL file into a results JSONL (resumable)",
        description="Input lines: {\"id\", \"image\" | \"images\", \"question\", \"answer\"?, \"kb\"?} (at most "
                    "1 MiB a line, 512 MiB a file). Image paths are relative to the input file's folder and may "
                    "name any file this user can read, unless --image-root confines them. Output lines: {\"id\", "
                    "\"answer\", \"explanation\", \"program\", \"error\", \"latency_s\", \"input_line\", "
                    "\"input_hash\", \"steps\"?}, appended durably as each item finishes. --out may not be the "
                    "input file. --resume redoes an id whose input (question, image bytes, KB, settings) changed "
                    "since its record was written, moving the old record to OUT_STEM.superseded.jsonl.")
    batch.add_argument("input", help="input JSONL file")
    batch.add_argument("--out", required=True, help="results JSONL file")
    batch.add_argument("--workers", type=int, default=2, help="worker threads (local) or actors (ray); default 2")
    mode = batch.add_mutually_exclusive_group()
    mode.add_argument("--resume", action="store_true",
                      help="skip ids already in --out (if their input is unchanged) and append the rest")
    mode.add_argument("--overwrite", action="store_true", help="empty --out first")
    batch.add_argument("--strict", action="store_true",
                       help="with --resume: refuse if a finished id's input changed, instead of redoing it")
    batch.add_argument("--image-root", metavar="DIR",
                       help="every image path must lie inside DIR (no '..', absolute path or symlink out of it); "
                            "a line that leaves it becomes an error record. Default: no limit")
    batch.add_argument("--kb", help="knowledge base for every item (a line's own \"kb\" wins)")
    add_llm_argument(batch)
    batch.add_argument("--steps", action="store_true", help="include the step trace of each answer")
    batch.add_argument("--engine", choices=("local", "ray"), default="local", help="local threads (default) or Ray")
    batch.add_argument("--address", help="Ray cluster address (default: a running instance or a new local one)")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    batch.add_argument("--json", action="store_true", help="print the summary as JSON")
    batch.add_argument("--learn", action="store_true",
                       help="afterwards, add to the program memory every program whose answer scored right "
                            "against the input's gold \"answer\" (see `visreason memory`)")
    # Hidden: selects another reasoner class, for tests and benchmarks ("module:callable", called with the config).
    batch.add_argument("--reasoner-factory", default=None, help=argparse.SUPPRESS)
    batch.set_defaults(func=batch_command)

    sc = subparsers.add_parser("score", help="accuracy of a results JSONL against the gold answers of an input JSONL")
    sc.add_argument("results", help="results JSONL written by `visreason batch`")
    sc.add_argument("--gold", required=True, help="input JSONL with \"answer\" (string or list) per id")
    sc.add_argument("--json", action="store_true", help="print the report as JSON")
    sc.add_argument("--show-wrong", action="store_true",
                    help="list each wrong or missing id with its question, the gold answer(s) and the prediction")
    sc.set_defaults(func=score_command)


def batch_command(args: argparse.Namespace) -> int:
    from agent.batch import DEFAULT_REASONER_FACTORY, run_batch
    from agent.cli import config_from_args
    from agent.errors import InputError

    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    config = config_from_args(args)
    summary = run_batch(
        args.input, args.out, config=config,
        reasoner_factory=args.reasoner_factory or DEFAULT_REASONER_FACTORY,
        engine=args.engine, workers=args.workers, resume=args.resume, overwrite=args.overwrite, strict=args.strict,
        kb=args.kb, image_root=args.image_root, include_steps=args.steps, progress=not args.no_progress, address=args.address)
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(summary.format())
    if args.learn:
        from agent.batch import read_gold, read_results
        from agent.cli_memory import learn_from_results
        from agent.memory import open_memory
        from tools.catalog import default_registry

        memory = open_memory(config, default_registry(), None)
        counts = learn_from_results(memory, read_results(args.out), read_gold(args.input))
        print("memory learn: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()), file=sys.stderr)
    if summary.all_failed:
        print(f"error: every item failed ({summary.failed}); see the list above", file=sys.stderr)
        return 1
    return 0


def score_command(args: argparse.Namespace) -> int:
    from agent.batch import read_gold, read_results
    from agent.score import score

    records = read_results(args.results)
    gold = read_gold(args.gold)
    preds = {rid: rec.get("answer") for rid, rec in records.items()}
    report = score(preds, gold)
    wrong = wrong_items(preds, gold) if args.show_wrong else []
    if args.json:
        print(json.dumps(report.to_dict() | ({"wrong": wrong} if args.show_wrong else {}), indent=2))
    else:
        print(report.format())
        if args.show_wrong:
            print(f"wrong or missing ({len(wrong)}):" if wrong else "wrong or missing: none")
            for w in wrong:
                print(f"  {w['id']}: {w['question'][:70]!r} gold {w['gold']} got {w['got']!r}")
        if not report.total:
            print("no gold answers found in", args.gold, file=sys.stderr)
    return 0


def wrong_items(preds: dict, gold: list[dict]) -> list[dict]:
    """Gold lines whose prediction is missing or not accepted, with what was expected and what came back."""
    from agent.score import accepted_answers, is_correct

    out = []
    for line in gold:
        accepted = accepted_answers(line)
        if "id" not in line or not accepted:
            continue
        got = preds.get(str(line.get("id")))
        if got is None or not is_correct(got, accepted):
            out.append({"id": str(line.get("id")), "question": str(line.get("question") or ""),
                        "gold": accepted, "got": got})
    return out
