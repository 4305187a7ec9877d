"""``visreason kb build|add|search|info|delete``."""

from __future__ import annotations

import argparse
import json

from agent.errors import InputError


def register(subparsers) -> None:
    kb = subparsers.add_parser("kb", help="build and query a local multimodal knowledge base")
    sub = kb.add_subparsers(dest="kb_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--kb", required=True, metavar="KB_DIR", help="knowledge base directory")
        p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("build", help="build a KB from a folder of documents and images")
    p.add_argument("src_dir", help="folder of documents (.md, .txt, .rst, .jsonl) and photos (with optional .txt captions) to index")
    p.add_argument("--index", default="auto", choices=["auto", "flat", "hnsw", "ivf"], help="vector index type")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    common(p)
    p.set_defaults(func=_build)

    p = sub.add_parser("add", help="add files or folders to a KB")
    p.add_argument("paths", nargs="+", help="files or folders to add to the KB")
    common(p)
    p.set_defaults(func=_add)

    p = sub.add_parser("search", help="search a KB by text and/or image")
    p.add_argument("query", nargs="?", default="", help="text to search for (or use --image)")
    p.add_argument("--image", help="image file for image->image search")
    p.add_argument("-k", type=int, default=5, help="number of hits (default 5)")
    common(p)
    p.set_defaults(func=_search)

    p = sub.add_parser("info", help="describe a KB")
    common(p)
    p.set_defaults(func=_info)

    p = sub.add_parser("delete", help="remove one source from a KB")
    p.add_argument("source", help="a source path as `kb info` lists it")
    common(p)
    p.set_defaults(func=_delete)


def _open(args):
    from agent.cli import config_from_args
    from retrieval.kb import KnowledgeBase

    return KnowledgeBase.open(args.kb, config_from_args(args))


def _emit(args, data: dict, text: str) -> int:
    print(json.dumps(data, ensure_ascii=False, default=str) if args.json else text)
    return 0


def _build(args) -> int:
    from agent.cli import config_from_args
    from retrieval.kb import KnowledgeBase

    kb = KnowledgeBase.build(args.src_dir, args.kb, config_from_args(args), progress=not args.no_progress,
                             index_type=args.index)
    info = kb.info()
    return _emit(args, info, f"built {args.kb} ({info['version']}): {info['counts']}")


def _add(args) -> int:
    report = _open(args).add(args.paths)
    lines = [f"{what}: {len(names)}" + "".join(f"\n  {n}" for n in names) for what, names in report.items() if names]
    return _emit(args, report, "\n".join(lines) or "nothing to add")


def _search(args) -> int:
    if not args.query.strip() and not args.image:
        raise InputError("kb search needs a query, --image, or both")
    if args.k < 1:
        raise InputError(f"-k must be at least 1, got {args.k}")
    kb = _open(args)
    hits = kb.search_text(args.query, args.k) if args.query.strip() else []
    if args.image:
        hits += kb.search_image(args.image, args.k)
    text = "\n".join(f"{h.id:>6} {h.score:.3f} [{h.modality}] {h.source}\n       {h.snippet}" for h in hits)
    return _emit(args, {"hits": [h.to_dict() for h in hits]}, text or "no hits")


def _info(args) -> int:
    info = _open(args).info()
    text = "\n".join(f"{k}: {v}" for k, v in info.items() if k != "sources")
    text += f"\nsources ({len(info['sources'])}):" + "".join(f"\n  [{s['kind']}] {s['source']}" for s in info["sources"])
    return _emit(args, info, text)


def _delete(args) -> int:
    removed = _open(args).delete(args.source)
    return _emit(args, {"removed_items": removed}, f"removed {removed} items")
