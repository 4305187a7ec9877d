"""Issue 9, item 2: a visitor's choice of the hf backend never makes the server reach the model hub.

A loopback listener stands in for the hub (HF_ENDPOINT); the hub is otherwise allowed in the
child process (HF_HUB_OFFLINE=0), so only the backend's own rule can keep it quiet. Hub telemetry
(huggingface_hub's agent-registry fetch, which ignores local_files_only) is off as app.py sets it
(HF_HUB_DISABLE_TELEMETRY); app.py also defaults HF_HUB_OFFLINE=1, tested at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.agent.ui.capture_server import CaptureServer

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import json, sys
from agent.config import Config
from agent.errors import VisreasonError
from agent.llm.hf_backend import HFBackend
from agent.ui.policy import AppPolicy
from agent.ui.settings import settings_to_config

operator = Config()
policy = AppPolicy.from_config(operator, allow_backends=["hf:some-org/tiny-chat-model"])
if sys.argv[1] == "visitor":
    config, _ = settings_to_config(operator, {"llm": "hf:some-org/tiny-chat-model"}, policy)
else:  # the operator's own configuration, hub allowed
    config = operator.replace(**{"llm.backend": "hf", "llm.model": "some-org/tiny-chat-model"})
try:
    HFBackend(config).chat([{"role": "user", "content": "hi"}], max_tokens=2)
    print(json.dumps({"error": None, "hub_download": config.llm.hub_download}))
except VisreasonError as exc:
    print(json.dumps({"error": type(exc).__name__, "hub_download": config.llm.hub_download}))
"""


def _run(who: str, listener: CaptureServer, tmp_path) -> dict:
    env = dict(os.environ, HF_ENDPOINT=listener.url, HF_HUB_OFFLINE="0", TRANSFORMERS_OFFLINE="0",
               HF_HUB_DISABLE_TELEMETRY="1", HF_HOME=str(tmp_path / "hf"), HF_HUB_ETAG_TIMEOUT="5",
               HF_HUB_DOWNLOAD_TIMEOUT="5")
    done = subprocess.run([sys.executable, "-c", SCRIPT, who], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_visitor_choice_reads_only_the_local_cache(tmp_path):
    with CaptureServer() as listener:
        result = _run("visitor", listener, tmp_path)
    assert result == {"error": "ModelUnavailableError", "hub_download": False}
    assert listener.requests == []


def test_control_the_operator_config_would_reach_the_hub(tmp_path):
    # Shows the listener does see hub traffic, so the test above can fail.
    with CaptureServer() as listener:
        result = _run("operator", listener, tmp_path)
    assert result["error"] == "ModelUnavailableError" and result["hub_download"] is True
    assert listener.requests and "tiny-chat-model" in listener.requests[0].path


def test_the_app_defaults_to_no_hub_access():
    from app import apply_offline_defaults

    env: dict[str, str] = {"HF_HUB_OFFLINE": "0"}  # an operator's explicit choice is kept
    apply_offline_defaults(env)
    assert env == {"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
