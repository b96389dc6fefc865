"""Errors as HTTP answers: every failure is JSON ``{error, message, details}``.

* :class:`AuraError` → its ``http_status`` (4xx for everything a user can cause);
* pydantic validation errors → 422 naming each field to fix;
* unknown routes → 404, wrong methods → 405 with ``Allow``;
* anything unexpected → 500 ``internal_error`` with the request id, logged with its
  traceback; the traceback never reaches the response.

:class:`ErrorMiddleware` (the outermost layer) also stamps the request id
(``X-Request-ID``) and the correlation id (``X-Correlation-ID``, see
:mod:`engine.observability.correlation`), and enforces the request body size limit.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import pydantic
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.errors import AuraError
from engine.graph.messages import plain_message
from engine.services.observability import correlation, request_context
from studio.api.serialize import error_body, json_response

__all__ = ["ErrorMiddleware", "PayloadTooLarge", "exception_handlers"]

log = logging.getLogger("studio.api")

_RID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


class PayloadTooLarge(AuraError):
    """The request body is bigger than the server accepts."""

    code = "payload_too_large"
    http_status = 413


def request_id(request: Request) -> str:
    """The id of this request (sent back as ``X-Request-ID``, logged with errors)."""
    return str(request.scope.get("state", {}).get("request_id", "-"))


async def _aura_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuraError)
    headers: dict[str, str] = {}
    details = exc.details
    if exc.http_status == 405 and isinstance(details, dict) and details.get("allowed"):
        headers["Allow"] = ", ".join(details["allowed"])
    if exc.http_status == 429 and isinstance(details, dict) and details.get("retry_after"):
        headers["Retry-After"] = str(int(details["retry_after"]))
    if exc.http_status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="aura"'
    return json_response(exc.to_dict(), exc.http_status, headers)


async def _pydantic_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, pydantic.ValidationError)
    problems = [
        {"path": ".".join(str(p) for p in e.get("loc", ())), "message": plain_message(e)}
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"path": "", "message": "Invalid."}
    return json_response(
        error_body(
            "validation_error",
            f"{first['path']}: {first['message']} Fix it and send the request again.",
            problems,
        ),
        422,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404:
        message = (
            f"There is no {request.url.path}. The API lives under /api/v1 (see "
            "/api/v1/docs); webhooks under /webhook/ and /webhook-test/."
        )
    elif status == 405:
        allowed = headers.get("Allow") or headers.get("allow") or ""
        message = f"{request.method} is not allowed on {request.url.path}; use {allowed}."
    else:
        message = str(exc.detail)
    return json_response(
        error_body(_HTTP_CODES.get(status, "http_error"), message), status, headers
    )


async def _redis_down(request: Request, exc: Exception) -> Response:
    """Redis unreachable: not the caller's fault, and not a bug — 503 with what to check."""
    return json_response(
        error_body(
            "unavailable",
            "The queue server (Redis) is not reachable right now; the request was "
            "not carried out. Try again shortly, or check AURA_REDIS_URL and 'aura services'.",
            {"request_id": request_id(request)},
        ),
        503,
        {"Retry-After": "5"},
    )


async def _database_down(request: Request, exc: Exception) -> Response:
    """The database stopped answering mid-request (server down, connection cut, locked
    too long): 503 with what to check; the cause goes to the log, not to the caller."""
    log.warning(
        "database unavailable (request %s): %s",
        request_id(request),
        str(getattr(exc, "orig", None) or exc).strip().splitlines()[:1],
    )
    return json_response(
        error_body(
            "database_unavailable",
            "The database is not reachable right now; the request was "
            "not carried out. Try again shortly, or check the database server and AURA_DB_URL "
            "('aura db current' tests the connection).",
            {"request_id": request_id(request)},
        ),
        503,
        {"Retry-After": "5"},
    )


exception_handlers: dict[Any, Any] = {
    AuraError: _aura_error,
    pydantic.ValidationError: _pydantic_error,
    HTTPException: _http_error,
}
try:
    import redis.exceptions as _redis_exc

    exception_handlers[_redis_exc.ConnectionError] = _redis_down
    exception_handlers[_redis_exc.TimeoutError] = _redis_down
except ImportError:  # pragma: no cover - redis is a dependency
    pass
try:
    import sqlalchemy.exc as _sa_exc

    exception_handlers[_sa_exc.OperationalError] = _database_down
    exception_handlers[_sa_exc.InterfaceError] = _database_down
except ImportError:  # pragma: no cover - sqlalchemy is a dependency
    pass


class ErrorMiddleware:
    """Outermost layer: request id, body size limit, and the last-resort 500."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        unlimited_prefixes: tuple[str, ...] = ("/webhook/", "/webhook-test/", "/webhook-waiting/"),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.unlimited = unlimited_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = cid = ""
        for k, v in scope["headers"]:
            if k == b"x-request-id":
                rid = v.decode("latin-1")
            elif k == b"x-correlation-id":
                cid = v.decode("latin-1")
        if not _RID.match(rid):
            rid = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        # the ids in every log line, event and span of this request, and no other
        with request_context(rid), correlation.bound(correlation.valid(cid) or rid) as cid:
            await self._serve(scope, receive, send, rid, cid)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, rid: str, cid: str) -> None:
        started = False
        ids = [(b"x-request-id", rid.encode()), (b"x-correlation-id", cid.encode())]

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *ids]
            await send(message)

        limited = not scope["path"].startswith(self.unlimited)
        if limited:
            length = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
            if length.isdigit() and int(length) > self.max_body_bytes:
                await self._too_large(scope, send_with_id, int(length))
                return
            receive = self._counting(receive)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("request %s (%s %s) failed", rid, scope.get("method"), scope.get("path"))
            if not started:
                body = error_body(
                    "internal_error",
                    "Something went wrong on the server; "
                    "the error was logged. Quote the request id when you "
                    "report it.",
                    {"request_id": rid},
                )
                await json_response(body, 500)(scope, receive, send_with_id)

    def _counting(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.max_body_bytes

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(
                        f"The request body is larger than {limit:,} bytes, "
                        "the most this server accepts; send less data."
                    )
            return message

        return counted

    async def _too_large(self, scope: Scope, send: Send, length: int) -> None:
        body = error_body(
            "payload_too_large",
            f"The request body is {length:,} bytes; this "
            f"server accepts at most {self.max_body_bytes:,}. Send less data.",
        )
        response = json_response(body, 413)
        await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
