"""Resume URLs of parked executions: ``/webhook-waiting/{execution_id}/{token}[/{suffix}]``.

A Wait node with ``resume: webhook`` parks its execution and hands out
``$execution.resume_url``; calling it (with the Wait's method) resumes the execution
once, with the request as the Wait node's output item. Public, like ``/webhook``: the
random token in the URL is the credential. Register with ``*routes_waits.wait_routes()``
in the app's route list.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.triggers import waits
from engine.triggers._webhook_http import WebhookRequest, request_item
from studio.api.errors import PayloadTooLarge
from studio.api.serialize import json_response

__all__ = ["MAX_BODY_BYTES", "wait_routes"]

MAX_BODY_BYTES = 16 * 1024 * 1024
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
_BODY = SimpleNamespace(binary_property="data", raw_body=False)


async def _body(request: Request) -> bytes:
    chunks, seen = [], 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES:,} bytes, "
                                  "the most a resume URL accepts.",
                                  details={"limit": MAX_BODY_BYTES})
        chunks.append(chunk)
    return b"".join(chunks)


def _request(request: Request, suffix: str, body: bytes) -> WebhookRequest:
    headers: dict[str, str] = {}
    for k, v in request.headers.items():
        headers[k] = f"{headers[k]}, {v}" if k in headers else v
    query: dict[str, Any] = {}
    for k, v in request.query_params.multi_items():
        prev = query.get(k)
        query[k] = v if prev is None else [*prev, v] if isinstance(prev, list) else [prev, v]
    return WebhookRequest(request.method, suffix, headers, query, body,
                          request.client.host if request.client else None)


async def _resume(request: Request) -> Response:
    eid, token = request.path_params["execution_id"], request.path_params["token"]
    suffix = str(request.path_params.get("suffix", "")).strip("/")
    wait = await run_in_threadpool(waits.find_webhook_wait, eid, token)
    data = _request(request, suffix, await _body(request))
    item = request_item(_BODY, data, {})
    await run_in_threadpool(waits.resume_from_webhook, eid, token, item,
                            method=request.method, suffix=suffix)
    headers = {"X-Aura-Execution-Id": eid}
    if request.method == "HEAD":
        return Response(b"", status_code=wait.response_code, headers=headers)
    return json_response({"execution_id": eid, "resumed": True}, wait.response_code, headers)


def wait_routes() -> list[Route]:
    """The ``/webhook-waiting`` routes (with and without a suffix, every method)."""
    return [
        Route("/webhook-waiting/{execution_id}/{token}", _resume, methods=_METHODS,
              name="webhook_waiting"),
        Route("/webhook-waiting/{execution_id}/{token}/{suffix:path}", _resume,
              methods=_METHODS, name="webhook_waiting_suffix"),
    ]
