"""visreason chat demo: ``python app.py [--host 127.0.0.1] [--port 7860] [--config file.toml]``.

Binds to localhost and never creates a public share link. Visitors choose only what the operator
allows here (``--allow-backend``, ``--kb-dir``, the config's [ui] section); binding beyond loopback
needs logins (``--auth-file`` / ``--auth``) and refuses ``--allow-free-paths``. See SECURITY.md.
The logic lives in agent/ui/.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from agent.errors import ConfigError, VisreasonError

# The app never reaches a model hub on a visitor's behalf: every model loads lazily on some visitor's
# question, so hub downloads and hub telemetry are off unless the operator exports otherwise.
OFFLINE_DEFAULTS = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def apply_offline_defaults(environ: dict | None = None) -> None:
    env = os.environ if environ is None else environ
    for key, value in OFFLINE_DEFAULTS.items():
        env.setdefault(key, value)


def _default_port() -> int:
    text = os.environ.get("VISREASON_APP_PORT") or os.environ.get("GRADIO_SERVER_PORT") or "7860"
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"the app port must be a number, got {text!r} from the environment") from None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="visreason Gradio chat demo")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
                        help="interface to bind (default $GRADIO_SERVER_NAME or 127.0.0.1: this machine only); "
                             "beyond loopback, logins are required")
    parser.add_argument("--port", type=int, default=None,
                        help="port (default $VISREASON_APP_PORT, $GRADIO_SERVER_PORT or 7860)")
    parser.add_argument("--config", help="TOML config file (also $VISREASON_CONFIG)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override one config value")
    parser.add_argument("--llm", metavar="SPEC",
                        help="the controller LLM, as everywhere: gguf:NAME_OR_PATH, openai:MODEL@URL or hf:ID "
                             "(default: the config's llm.backend/llm.model, gguf:qwen2.5-coder-1.5b)")
    likes = parser.add_mutually_exclusive_group()
    likes.add_argument("--learn-from-likes", dest="learn_from_likes", action="store_true", default=None,
                       help="a thumbs-up on an answer adds its program to the program memory "
                            "(default: on for a loopback app, off when visitors can reach it)")
    likes.add_argument("--no-learn-from-likes", dest="learn_from_likes", action="store_false")
    parser.add_argument("--concurrency", type=int, default=4, help="questions answered in parallel")
    parser.add_argument("--allow-backend", action="append", default=[], metavar="SPEC",
                        help="offer visitors another LLM (repeatable): a backend name (gguf, openai, hf) with the "
                             "configured model, or a spec gguf:NAME, openai:MODEL@URL, hf:LOCAL_DIR")
    parser.add_argument("--kb-dir", metavar="DIR",
                        help="offer the knowledge bases in DIR's sub-folders, by name (default: [ui] kb_dir, none)")
    parser.add_argument("--allow-free-paths", action="store_true",
                        help="let visitors type model names, file paths, URLs and a KB path "
                             "(loopback only; refused with a non-loopback --host)")
    parser.add_argument("--auth", action="append", default=[], metavar="USER:PASSWORD",
                        help="require this login (repeatable); prefer --auth-file (the command line is visible "
                             "to other local users)")
    parser.add_argument("--auth-file", metavar="FILE", help="logins, one USER:PASSWORD a line (# comments)")
    # Tests swap the reasoner for a stand-in; not part of the user-facing interface.
    parser.add_argument("--reasoner-factory", default=os.environ.get("VISREASON_REASONER_FACTORY"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.port is None:
        args.port = _default_port()
    return args


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    apply_offline_defaults()  # before anything imports huggingface_hub (it reads these once)
    try:
        args = parse_args(argv)
        from agent.cli import config_from_args
        from agent.ui.exposure import check_exposure, is_loopback, load_credentials
        from agent.ui.policy import AppPolicy

        creds = load_credentials(args.auth, args.auth_file)
        check_exposure(args.host, creds=creds, free_paths=args.allow_free_paths)
        config = config_from_args(args)
        if args.llm:
            from agent.llm.factory import parse_llm_spec

            config = config.replace(**parse_llm_spec(args.llm))
        policy = AppPolicy.from_config(config, allow_backends=args.allow_backend, kb_dir=args.kb_dir,
                                       free_paths=args.allow_free_paths)
        from agent.ui.app_builder import build_app, load_factory

        learn = is_loopback(args.host) if args.learn_from_likes is None else args.learn_from_likes
        app = build_app(config, reasoner_factory=load_factory(args.reasoner_factory), concurrency=args.concurrency,
                        policy=policy, creds=creds, learn_from_likes=learn)
    except VisreasonError as exc:
        print(f"error: {type(exc).__name__}: {exc}" + (f"\n{exc.hint}" if exc.hint else ""), file=sys.stderr)
        return 2
    print(f"visreason app: http://{args.host}:{args.port} (no public share link is ever made)", file=sys.stderr)
    app.launch(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
