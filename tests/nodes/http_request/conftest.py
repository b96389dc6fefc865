"""A real HTTP server on 127.0.0.1 for the HTTP Request node tests (never the internet)."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

PDF = b"%PDF-1.4 fake pdf \x00\x01\x02"


class Handler(BaseHTTPRequestHandler):
    """Routes used by the tests; see each ``_route_*`` method."""

    protocol_version = "HTTP/1.1"

    def _send(
        self,
        status: int,
        body: bytes | str | Any,
        ctype: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        if isinstance(body, str):
            raw = body.encode()
        elif isinstance(body, bytes):
            raw = body
        else:
            raw = json.dumps(body).encode()
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if self.command != "HEAD":
            # the client may stop reading early (size limit, timeout)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(raw)

    def _handle(self) -> None:
        url = urlsplit(self.path)
        q = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route = url.path.strip("/").split("/")
        name = f"_route_{route[0]}" if route[0] else "_route_echo"
        getattr(self, name, self._route_missing)(route[1:], q, body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def _route_missing(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(404, {"error": "no such route"})

    def _route_echo(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        """Echoes the request: method, path, query, headers, body (text/base64)."""
        try:
            text: str | None = body.decode()
        except UnicodeDecodeError:
            text = None
        self._send(
            200,
            {
                "method": self.command,
                "path": urlsplit(self.path).path,
                "raw_query": urlsplit(self.path).query,
                "query": q,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": text,
                "body_b64": base64.b64encode(body).decode(),
            },
        )

    def _route_list(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(200, [{"id": 1}, {"id": 2}, 3])

    def _route_nested(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(200, {"data": {"results": [{"n": "a"}, {"n": "b"}]}, "total": 2})

    def _route_text(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(200, "hello world", "text/plain; charset=utf-8")

    def _route_html(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(200, "<h1>hi</h1>", "text/html")

    def _route_badjson(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(200, "{not json", "application/json")

    def _route_empty(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(204, b"", "")

    def _route_file(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(
            200,
            PDF,
            "application/pdf",
            {"Content-Disposition": 'attachment; filename="report 1.pdf"'},
        )

    def _route_image(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(200, b"\x89PNG....", "image/png")

    def _route_status(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        code = int(rest[0])
        self._send(code, {"error": f"status {code}", "detail": "x" * int(q.get("pad", 0))})

    def _route_slow(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        time.sleep(float(q.get("s", 1)))
        self._send(200, {"slow": True})

    def _route_big(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(200, b"x" * int(q.get("n", 2_000_000)), "application/octet-stream")

    def _route_redirect(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(302, b"", "", {"Location": str(q["to"])})

    def _route_loop(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(302, b"", "", {"Location": "/loop"})

    def _route_basic(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        expected = "Basic " + base64.b64encode(b"ada:s3cret").decode()
        if self.headers.get("Authorization") != expected:
            self._send(401, {"error": "unauthorized"}, headers={"WWW-Authenticate": "Basic"})
        else:
            self._send(200, {"user": "ada"})

    # -- pagination --------------------------------------------------------------------
    def _route_next(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        """Three pages; each names the next as a relative URL (null on the last)."""
        page = int(q.get("page", 1))
        nxt = f"/next?page={page + 1}&size=2" if page < 3 else None
        self._send(200, {"items": [{"p": page, "i": 0}, {"p": page, "i": 1}], "next": nxt})

    def _route_numbered(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        """Pages 1..3 hold two items each; later pages are empty lists."""
        page = int(q.get("page") or json.loads(body or b"{}").get("page") or 0)
        self._send(200, [{"p": page}, {"p": page}] if 1 <= page <= 3 else [])

    def _route_offset(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        """Items 0..4 served by offset/limit=2 with a 'data' list and 'more' flag."""
        off = int(q.get("offset", 0))
        data = [{"n": n} for n in range(off, min(off + 2, 5))]
        self._send(200, {"data": data, "more": off + 2 < 5})

    def _route_linked(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        page = int(q.get("page", 1))
        headers = {}
        if page < 3:
            port = self.server.server_address[1]
            headers["Link"] = (
                f'<http://127.0.0.1:{port}/linked?page={page + 1}>; rel="next", '
                f'<http://127.0.0.1:{port}/linked?page=3>; rel="last"'
            )
        self._send(200, {"page": page}, headers=headers)

    def _route_cursor(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        cursors = {"": ("c1", 1), "c1": ("c2", 2), "c2": ("", 3)}
        nxt, n = cursors[str(q.get("cursor", ""))]
        self._send(200, {"value": n, "meta": {"next_cursor": nxt or None}})

    def _route_forever(self, rest: list[str], q: dict[str, Any], body: bytes) -> None:
        self._send(200, {"next": f"/forever?n={int(q.get('n', 0)) + 1}"})

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def pdf() -> bytes:
    """The bytes ``/file`` serves."""
    return PDF


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Base URL of the test server on 127.0.0.1."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
