"""Who may reach the app: the bind address, logins, and what is refused at start-up.

* Loopback (127.0.0.0/8, ::1, localhost) is this machine only; anything else is the network.
* Beyond loopback the app needs logins (``--auth USER:PASS`` or ``--auth-file FILE``), and the
  free path/URL settings (``--allow-free-paths``) are refused outright.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable, Iterable
from pathlib import Path

from agent.errors import ConfigError

Credentials = dict[str, str]  # user -> password


def is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # any other host name may resolve beyond this machine


def parse_credential(text: str, where: str = "--auth") -> tuple[str, str]:
    user, sep, password = text.partition(":")
    user = user.strip()
    if not sep or not user or not password:
        raise ConfigError(f"{where}: expected USER:PASSWORD, got an entry without both parts",
                          hint="for example --auth alice:long-random-password")
    return user, password


def load_credentials(pairs: Iterable[str] = (), auth_file: str | None = None) -> Credentials:
    """Logins from ``--auth`` values and an auth file (one USER:PASSWORD a line, # comments)."""
    creds: Credentials = {}
    for text in pairs:
        user, password = parse_credential(text)
        creds[user] = password
    if auth_file:
        path = Path(auth_file).expanduser()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--auth-file {path}: cannot read it ({type(exc).__name__})") from None
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if line and not line.startswith("#"):
                user, password = parse_credential(line, f"{path}:{number}")
                creds[user] = password
        if not creds:
            raise ConfigError(f"--auth-file {path}: no USER:PASSWORD line")
    return creds


def checker(creds: Credentials) -> Callable[[str, str], bool]:
    """Gradio's auth callable; constant-time comparison, the same work for unknown users."""

    def check(user: str, password: str) -> bool:
        expected = creds.get(user, "")
        ok = hmac.compare_digest(str(password).encode(), expected.encode())
        return ok and user in creds and bool(expected)

    return check


def check_exposure(host: str, *, creds: Credentials, free_paths: bool) -> None:
    """Refuse a start-up that would expose more than the operator can have meant."""
    if is_loopback(host):
        return
    if free_paths:
        raise ConfigError(
            f"--allow-free-paths is refused with --host {host}: beyond loopback, visitors must not name "
            "server paths, URLs or models",
            hint="drop --allow-free-paths, or bind to 127.0.0.1")
    if not creds:
        raise ConfigError(
            f"refusing to bind to {host} without logins: anyone on the network could use the app",
            hint="add --auth-file FILE (one USER:PASSWORD a line) or --auth USER:PASSWORD, or bind to 127.0.0.1")
