"""Issue 9, item 2: binding beyond loopback needs logins; free paths are refused there; logins work."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AuthenticationError
from PIL import Image

from agent.errors import ConfigError
from agent.ui.exposure import check_exposure, checker, is_loopback, load_credentials
from tests.agent.ui.app_server import FAKE, ROOT, free_port, message_text, running_app


def test_loopback_is_this_machine_only():
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "", "192.168.1.5", "10.0.0.1", "example.org", "my-laptop"):
        assert not is_loopback(host), host


def test_exposure_rules():
    check_exposure("127.0.0.1", creds={}, free_paths=True)
    check_exposure("0.0.0.0", creds={"a": "b"}, free_paths=False)
    with pytest.raises(ConfigError, match="without logins"):
        check_exposure("0.0.0.0", creds={}, free_paths=False)
    with pytest.raises(ConfigError, match="--allow-free-paths"):
        check_exposure("192.168.1.5", creds={"a": "b"}, free_paths=True)


def test_credentials_from_flags_and_file(tmp_path):
    f = tmp_path / "auth"
    f.write_text("# logins\nalice:pw:with:colons\n\nbob:secret\n")
    creds = load_credentials(["carol:x"], str(f))
    assert creds == {"carol": "x", "alice": "pw:with:colons", "bob": "secret"}
    check = checker(creds)
    assert check("bob", "secret") and not check("bob", "Secret") and not check("eve", "") and not check("eve", "x")
    for bad in (["nocolon"], [":pw"], ["user:"]):
        with pytest.raises(ConfigError):
            load_credentials(bad)
    with pytest.raises(ConfigError):
        load_credentials([], str(tmp_path / "missing"))


def _start(args: list[str], tmp_path, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, VISREASON_HOME=str(tmp_path / "home"), VISREASON_REASONER_FACTORY=FAKE,
               GRADIO_ANALYTICS_ENABLED="False", **(env or {}))
    try:
        return subprocess.run([sys.executable, str(ROOT / "app.py"), "--port", str(free_port()), *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail(f"app.py {' '.join(args)} started serving instead of refusing")


@pytest.mark.parametrize("args,env,expect", [
    (["--host", "0.0.0.0"], None, "without logins"),
    ([], {"GRADIO_SERVER_NAME": "0.0.0.0"}, "without logins"),
    (["--host", "0.0.0.0", "--auth", "a:b", "--allow-free-paths"], None, "--allow-free-paths"),
])
def test_app_refuses_to_start_exposed(tmp_path, args, env, expect):
    done = _start(args, tmp_path, env)
    assert done.returncode == 2 and expect in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_logins_are_required_and_bind_sessions_to_the_user(tmp_path):
    auth = tmp_path / "auth"
    auth.write_text("alice:correct-horse\nbob:battery-staple\n")
    img = tmp_path / "k.png"
    Image.new("RGB", (40, 30), (0, 160, 0)).save(img)
    with running_app(tmp_path / "home", args=["--auth-file", str(auth)]) as url:
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        # Without a login not even the raw upload route answers.
        assert httpx.post(f"{url}gradio_api/upload", files={"files": ("x.pt", b"x")}, timeout=60).status_code == 401
        alice = Client(url, verbose=False, auth=("alice", "correct-horse"), httpx_kwargs={"timeout": 120})
        bob = Client(url, verbose=False, auth=("bob", "battery-staple"), httpx_kwargs={"timeout": 120})
        sid = alice.predict(api_name="/new_session")
        chat, _, _ = alice.predict({"text": "colour?", "files": [handle_file(str(img))]}, sid, api_name="/chat")
        assert message_text(chat[-1]).startswith("**Answer: green**")
        chat, _, _ = bob.predict({"text": "and?", "files": []}, sid, api_name="/chat")  # alice's id, bob's login
        assert message_text(chat[-1]).startswith("Error:") and len(chat) == 1
        assert bob.predict(sid, api_name="/cancel") == "refused"
