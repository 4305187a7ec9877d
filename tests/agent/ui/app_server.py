"""Start ``python app.py`` in a subprocess on a free port (shared by the API and browser tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FAKE = "tests.agent.ui.fake_reasoner:make_fake"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(home: Path, factory: str | None = FAKE, *, concurrency: int = 4, timeout: float = 120.0,
                args: list[str] | tuple[str, ...] = (), env: dict[str, str] | None = None):
    """Yield the base URL of a running app; the server log is at ``home/app.log``.

    ``args`` are extra app.py flags, ``env`` extra environment variables.
    """
    port = free_port()
    env = dict(os.environ, VISREASON_HOME=str(home), GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1",
               **(env or {}))
    env.pop("VISREASON_REASONER_FACTORY", None)
    if factory:
        env["VISREASON_REASONER_FACTORY"] = factory
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "app.log", "ab")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--concurrency", str(concurrency),
                             *args],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited with {proc.returncode}: {(home / 'app.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("app did not start in time") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def session_for(client) -> str:
    """A session id from the server (``/new_session``); an app without that endpoint took any 32 hex chars."""
    if "/new_session" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]:
        return client.predict(api_name="/new_session")
    return "a" * 32


def chat_labels(client) -> list[str]:
    params = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/chat"]["parameters"]
    return [p.get("label") for p in params]


def chat_by_label(client, message: dict, session_id: str, settings: dict[str, object]):
    """Call ``/chat`` with settings named by their widget labels (as a visitor sees them), positionally.

    Labels rather than parameter names, so the same attack can be replayed against any version of the app.
    """
    params = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/chat"]["parameters"]
    labels = [p.get("label") for p in params]
    missing = [label for label in settings if label not in labels]
    if missing:
        raise KeyError(f"/chat has no setting labelled {missing}; it has {labels}")
    args = [message, session_id]
    for p in params[2:]:
        args.append(settings.get(p.get("label"), p.get("parameter_default")))
    return client.predict(*args, api_name="/chat")


def message_text(msg: dict) -> str:
    """A chat message's text as gradio_client returns it (a string or a list of parts)."""
    content = msg["content"]
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)
