"""A loopback HTTP listener that records every request (the "attacker's server" in the security tests).

It answers ``POST .../chat/completions`` like an OpenAI-compatible server, and 404 to anything else.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Captured:
    method: str
    path: str
    headers: dict[str, str]
    body: str

    def text(self) -> str:
        return json.dumps(self.headers) + "\n" + self.path + "\n" + self.body


REPLY = {"id": "cap-1", "object": "chat.completion", "created": 0, "model": "m",
         "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


class CaptureServer:
    def __init__(self) -> None:
        self.requests: list[Captured] = []
        lock = threading.Lock()
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                with lock:
                    requests.append(Captured(self.command, self.path,
                                             {k.lower(): v for k, v in self.headers.items()}, body))

            def _answer(self) -> None:
                self._record()
                if self.command == "POST" and self.path.endswith("/chat/completions"):
                    data = json.dumps(REPLY).encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                else:
                    data = b'{"error": "not found"}'
                    self.send_response(404)
                    self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> CaptureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def saw(self, secret: str) -> bool:
        return any(secret in r.text() for r in self.requests)
