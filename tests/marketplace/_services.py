"""A local HTTP server speaking the wire formats of the services the first-party packages
call: Slack's Web API (chat.postMessage), Discord webhooks, Telegram's Bot API
(sendMessage) and GitHub's REST issues endpoints. It records what arrived."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeServices"]

SLACK_TOKEN = "xoxb-good"
TELEGRAM_TOKEN = "123:ABC"
GITHUB_TOKEN = "ghp_good"


class FakeServices:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.issues: list[dict[str, Any]] = [
            {
                "number": n,
                "title": f"Issue {n}",
                "state": "open",
                "html_url": f"https://github.example/o/r/issues/{n}",
                "labels": [{"name": "bug"}],
            }
            for n in range(1, 131)
        ]
        self.issues.insert(
            3,
            {
                "number": 999,
                "title": "A PR",
                "state": "open",
                "pull_request": {},
                "html_url": "x",
                "labels": [],
            },
        )
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, body: Any) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(size) if size else b""
                body = json.loads(raw) if raw else None
                url = urlsplit(self.path)
                outer.received.append(
                    {
                        "method": self.command,
                        "path": url.path,
                        "query": parse_qs(url.query),
                        "body": body,
                        "auth": self.headers.get("Authorization"),
                    }
                )
                status, answer = outer.route(
                    self.command,
                    url.path,
                    parse_qs(url.query),
                    body,
                    self.headers.get("Authorization") or "",
                )
                self._reply(status, answer)

            do_GET = do_POST = _handle

            def log_message(self, *a: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"

    def __enter__(self) -> FakeServices:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str
    ) -> tuple[int, Any]:
        if path == "/slack/api/chat.postMessage":
            if auth != f"Bearer {SLACK_TOKEN}":
                return 200, {"ok": False, "error": "invalid_auth"}
            if not body or not body.get("channel"):
                return 200, {"ok": False, "error": "channel_not_found"}
            return 200, {
                "ok": True,
                "channel": "C024BE91L",
                "ts": "1700000000.000100",
                "message": {"text": body["text"]},
            }
        if m := re.fullmatch(r"/api/webhooks/(\d+)/([\w-]+)", path):
            if m.group(2) == "limited":
                return 429, {
                    "message": "You are being rate limited.",
                    "retry_after": 1.5,
                    "global": False,
                }
            if query.get("wait") != ["true"]:
                return 204, None
            return 200, {"id": "1181", "channel_id": "8675309", "content": body["content"]}
        if m := re.fullmatch(r"/bot([^/]+)/sendMessage", path):
            if m.group(1) != TELEGRAM_TOKEN:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if str(body.get("chat_id")) != "42":
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: chat not found",
                }
            return 200, {
                "ok": True,
                "result": {"message_id": 7, "chat": {"id": 42}, "text": body["text"]},
            }
        if m := re.fullmatch(r"/repos/([\w.-]+)/([\w.-]+)/issues", path):
            if method == "POST":
                if auth != f"Bearer {GITHUB_TOKEN}":
                    return 401, {"message": "Bad credentials"}
                number = len(self.issues) + 1
                issue = {
                    "number": number,
                    "title": body["title"],
                    "state": "open",
                    "html_url": f"https://github.example/o/r/issues/{number}",
                }
                return 201, issue
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            return 200, self.issues[(page - 1) * per_page : page * per_page]
        return 404, {"message": "Not Found"}
