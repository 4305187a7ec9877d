"""SIGKILL a real `visreason batch` process at random moments, resume, and check every id is there once."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.agent.batch.conftest import STANDIN, write_dataset

ROOT = Path(__file__).resolve().parents[3]


def _check_prefix(out: Path) -> list[str]:
    """Complete lines all parse; only the last line may be torn. Returns the complete ids."""
    if not out.exists():
        return []
    data = out.read_bytes()
    complete = data.split(b"\n")[:-1]
    ids = [json.loads(line)["id"] for line in complete]
    assert len(ids) == len(set(ids)), "duplicate ids after a kill"
    return ids


def test_sigkill_at_random_points_then_resume(tmp_path):
    data = write_dataset(tmp_path / "data", n=60, bad_every=7)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "agent.cli", "batch", str(data), "--out", str(out), "--resume",
           "--workers", "2", "--no-progress", "--reasoner-factory", STANDIN]
    env = {**os.environ, "STANDIN_LLM_S": "0.1"}
    rng = random.Random(1234)
    kills = 0
    for _ in range(12):
        before = len(_check_prefix(out))
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Kill at a random moment after this run has written something (not by the clock alone: how
        # long start-up takes depends on the machine's load, and a quiet machine finished the batch
        # before a fixed-time kill came).
        started = time.monotonic()
        while proc.poll() is None and len(_check_prefix(out)) == before and time.monotonic() - started < 60:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        _check_prefix(out)
        if proc.returncode == 0:
            break
    assert kills >= 2, "the test should have killed the batch mid-way a few times"
    final = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert out.read_bytes().endswith(b"\n")
    ids = _check_prefix(out)
    assert sorted(ids) == [f"q{i:04d}" for i in range(60)]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sum(r["error"] is not None for r in records) == 60 // 7
