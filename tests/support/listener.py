"""A real HTTP server on 127.0.0.1 that records every request it receives, for tests
that must prove what did (or did not) reach "the other side"::

    with Listener() as srv:                  # AURA_HTTP_ALLOW must allow 127.0.0.1
        ... a workflow calls srv.url + "/hook" ...
        assert srv.saw("s3cret") is False    # the secret never arrived
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Listener", "Received"]


@dataclass(frozen=True)
class Received:
    """One request as it arrived: method, path, headers and body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        head = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"{self.method} {self.path}\n{head}\n\n{self.body.decode(errors='replace')}"


class Listener:
    """Answers every request with ``{"ok": true}`` and keeps it in :attr:`received`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(size) if size else b""
                with listener._lock:
                    listener.received.append(
                        Received(
                            self.command, self.path, {k: v for k, v in self.headers.items()}, body
                        )
                    )
                payload = json.dumps({"ok": True}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def saw(self, text: str) -> bool:
        """Whether any request so far contained ``text`` (headers, path or body)."""
        with self._lock:
            return any(text in r.text() for r in self.received)

    def count(self, path: str | None = None) -> int:
        """Requests received so far (to ``path`` only, when given)."""
        with self._lock:
            return sum(1 for r in self.received if path is None or r.path == path)
