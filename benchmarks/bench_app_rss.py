"""Peak RSS of the real chat app (default controller) after five questions through its public API.

Usage: ``.venv/bin/python benchmarks/bench_app_rss.py [--home DIR] [--llm SPEC]`` (after
``benchmarks/sample_images.py``). Starts ``app.py`` on a free port with a fresh ``VISREASON_HOME``,
asks five questions in one session through ``/chat`` (gradio_client) and prints each one's
seconds and the app process's peak resident set (VmHWM) so far.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from gradio_client import Client, handle_file  # noqa: E402

from tests.agent.ui.app_server import running_app  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--home", default=None, help="VISREASON_HOME for the app (default: a new temporary folder)")
ap.add_argument("--llm", default=None, help="controller spec passed as app.py --llm")
opts = ap.parse_args()
imgs = ROOT / "benchmarks" / "images"
qs = [("How many people are in the image?", "bus.jpg"), ("What colour is the bus?", "bus.jpg"),
      ("Is there a tie?", "zidane.jpg"), ("What is written on the bus?", "bus.jpg"),
      ("Which animal is shown?", "chelsea.png")]
home = Path(opts.home or tempfile.mkdtemp(prefix="vr-app-rss-"))
extra = ["--llm", opts.llm] if opts.llm else []


def app_pid() -> int:
    """The app.py child of this process (running_app starts exactly one)."""
    for child in psutil.Process().children(recursive=True):
        if any(part.endswith("app.py") for part in child.cmdline()):
            return child.pid
    raise SystemExit("app.py process not found")


with running_app(home, None, timeout=300, args=extra) as url:
    pid = app_pid()
    c = Client(url, verbose=False, httpx_kwargs={"timeout": 600})
    sid = c.predict(api_name="/new_session")
    for q, im in qs:
        t = time.monotonic()
        c.predict({"text": q, "files": [handle_file(str(imgs / im))]}, sid, api_name="/chat")
        hwm = next(line for line in open(f"/proc/{pid}/status") if line.startswith("VmHWM")).split()[1]
        print(f"{q!r}: {time.monotonic()-t:.1f} s, app peak RSS so far {int(hwm)/1e6:.2f} GB", flush=True)
