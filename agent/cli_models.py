"""``visreason models list|fetch NAME|verify [NAME]|warm``."""

from __future__ import annotations

import argparse
import json
import time


def register(subparsers) -> None:
    from agent.cli import add_llm_argument

    parser = subparsers.add_parser("models", help="list, fetch (assemble) and verify models")
    sub = parser.add_subparsers(dest="models_command", required=True)

    p_list = sub.add_parser("list", help="every known model and whether it is present")
    p_list.add_argument("--json", action="store_true", help="machine-readable output")
    p_list.set_defaults(func=_list)

    p_fetch = sub.add_parser("fetch", help="make a model available locally (assembles split GGUFs)")
    p_fetch.add_argument("name", help="a model name from `visreason models list`")
    p_fetch.add_argument("--json", action="store_true", help="machine-readable output")
    p_fetch.set_defaults(func=_fetch)

    p_verify = sub.add_parser("verify", help="re-hash local model files against the registry")
    p_verify.add_argument("name", nargs="?", help="one model (default: every offline model present)")
    p_verify.add_argument("--json", action="store_true", help="machine-readable output")
    p_verify.set_defaults(func=_verify)

    p_warm = sub.add_parser("warm", help="evaluate the planner's few-shot prompt prefixes once and save their KV "
                                         "states under $VISREASON_HOME/kv, so no first question re-reads them")
    add_llm_argument(p_warm)
    p_warm.add_argument("--json", action="store_true", help="machine-readable output")
    p_warm.set_defaults(func=_warm)


def _warm(args: argparse.Namespace) -> int:
    from agent.cli import config_from_args
    from agent.reasoner import Reasoner

    config = config_from_args(args)
    started = time.perf_counter()
    sources = Reasoner(config).prefill_prompts(
        on_progress=None if args.json else lambda n, src: print(f"  prefix {n}: {src}", flush=True))
    seconds = round(time.perf_counter() - started, 1)
    # In a fresh process every prefix not already on disk ("disk") was evaluated (in part: the shared
    # system prompt is copied between sequences) and saved now.
    summary = {"llm": f"{config.llm.backend}:{config.llm.model}", "prefixes": len(sources),
               "saved_now": len(sources) - sources.count("disk"), "seconds": seconds}
    if args.json:
        print(json.dumps(summary))
    elif not sources:
        print(f"{summary['llm']}: this backend keeps no prompt states; nothing to warm")
    else:
        print(f"{summary['llm']}: {len(sources)} planner prefixes on disk ({summary['saved_now']} evaluated and saved "
              f"now) in {seconds}s")
    return 0


def _store(args: argparse.Namespace):
    from agent.cli import config_from_args
    from agent.model_store import ModelStore

    return ModelStore(config_from_args(args))


def _list(args: argparse.Namespace) -> int:
    store = _store(args)
    rows = [store.status(name) for name in store.names()]
    licences = {name: store.spec(name).licence for name in store.names()}
    if args.json:
        print(json.dumps([{**row.to_dict(), "licence": licences[row.name]} for row in rows], indent=2))
        return 0
    header = f"{'NAME':36} {'KIND':10} {'BACKEND':22} {'AVAIL':7} {'STATE':11} {'LICENCE':34} WHERE FROM"
    print(header)
    for r in rows:
        avail = "offline" if r.offline else "hub"
        print(f"{r.name:36} {r.kind:10} {r.backend:22} {avail:7} {r.state:11} {licences[r.name]:34} {r.source}")
        if r.path and r.state == "present":
            print(f"{'':36} -> {r.path}")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    store = _store(args)
    started = time.perf_counter()
    path = store.fetch(args.name)
    seconds = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps({"name": args.name, "path": str(path), "seconds": seconds}))
    else:
        print(f"{args.name}: {path} ({seconds}s)")
    return 0


def _verify(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.name:
        names = [args.name]
        store.spec(args.name)  # unknown name -> typed error
    else:
        names = [n for n in store.names() if store.status(n).state == "present"]
    results = [store.verify(n) for n in names]
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        for r in results:
            mark = "OK " if r.ok else "BAD"
            print(f"{mark} {r.name:36} {r.detail}" + (f"  sha256={r.sha256}" if r.sha256 else ""))
    return 0 if all(r.ok for r in results) else 1
