"""Webhook endpoints: ``/webhook/{path}`` (active workflows, published version) and
``/webhook-test/{path}`` (the editor's one-shot test listener, draft version), any HTTP
method; plus the API operations that arm the test listener and list registrations.

The HTTP work is small: resolve the path (404/405), read the body within the node's
limit (413), then :func:`engine.triggers.webhooks.dispatch` does the rest.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.services import webhooks
from engine.services.store import get_store
from studio.api.errors import PayloadTooLarge
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out
from studio.api.security import client_ip

__all__ = ["router", "webhook_routes"]

router = Router("Webhooks")
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class TestWebhookIn(In):
    ttl_s: float = Field(
        webhooks.TEST_TTL_S,
        gt=0,
        le=3600,
        description="How long to listen, in seconds (default 120).",
    )


class WebhookOut(Out):
    method: str
    path: str
    node: str
    url: str | None = None


class TestWebhookOut(Out):
    listening: bool
    expires_at: str | None = None
    webhooks: list[WebhookOut]


class WebhooksOut(Out):
    production: list[WebhookOut]
    test: list[dict[str, Any]]


def _urls(request: Request, prefix: str, hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = str(request.base_url).rstrip("/")
    return [{**h, "url": f"{base}/{prefix}/{h['path']}"} for h in hooks]


@router.post(
    "/workflows/{id}/test-webhook",
    action="workflow:execute",
    summary="Listen for one test webhook call",
    body=TestWebhookIn,
    response=TestWebhookOut,
    errors=(404, 409),
    resource="workflow",
)
def arm_test_webhook(call: Call) -> dict[str, Any]:
    """Arms /webhook-test/<path> of each Webhook node of the DRAFT for ``ttl_s`` seconds;
    the first request runs the draft once, then the listener stops."""
    out = webhooks.arm_test(call.path["id"], call.body.ttl_s)
    out["webhooks"] = _urls(call.request, "webhook-test", out["webhooks"])
    return out


@router.delete(
    "/workflows/{id}/test-webhook",
    action="workflow:execute",
    summary="Stop listening for test webhook calls",
    errors=(404,),
    resource="workflow",
)
def disarm_test_webhook(call: Call) -> dict[str, Any]:
    """Stops the workflow's test listener."""
    get_store().workflows.get(call.path["id"])
    return {"listening": False, "stopped": webhooks.disarm_test(call.path["id"])}


@router.get(
    "/workflows/{id}/webhooks",
    action="workflow:read",
    summary="Webhook URLs of a workflow",
    response=WebhooksOut,
    errors=(404,),
    resource="workflow",
)
def list_webhooks(call: Call) -> dict[str, Any]:
    """The registered production webhooks (while active) and armed test listeners."""
    wid = call.path["id"]
    get_store().workflows.get(wid)
    rows = get_store().webhooks.list(workflow_id=wid)
    prod = [{"method": r.method, "path": r.path, "node": r.node_name} for r in rows]
    return {
        "production": _urls(call.request, "webhook", prod),
        "test": _urls(call.request, "webhook-test", webhooks.test_listeners(wid)),
    }


def _request_data(request: Request, path: str) -> webhooks.WebhookRequest:
    headers: dict[str, str] = {}
    for k, v in request.headers.items():
        headers[k] = f"{headers[k]}, {v}" if k in headers else v
    query: dict[str, Any] = {}
    for k, v in request.query_params.multi_items():
        prev = query.get(k)
        query[k] = v if prev is None else [*prev, v] if isinstance(prev, list) else [prev, v]
    return webhooks.WebhookRequest(request.method, path, headers, query, b"", client_ip(request))


def _too_big(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than {limit:,} bytes, the most "
        "this webhook accepts (its 'Max body bytes' option).",
        details={"limit": limit},
    )


class _Body:
    """A request body read up to a limit, in steps: reading can stop at one limit and
    go on later under a higher one (nothing beyond a limit is kept)."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self._stream: Any = None
        self._chunks: list[bytes] = []
        self._seen = 0
        self._done = False

    async def within(self, limit: int) -> bool:
        """Reads the rest of the body unless it is larger than ``limit`` (then stops as
        soon as it is, and says False)."""
        length = self._request.headers.get("content-length", "")
        if (length.isdigit() and int(length) > limit) or self._seen > limit:
            return False
        if self._stream is None:
            self._stream = self._request.stream().__aiter__()
        while not self._done:
            try:
                chunk = await self._stream.__anext__()
            except StopAsyncIteration:
                self._done = True
                break
            self._seen += len(chunk)
            self._chunks.append(chunk)
            if self._seen > limit:
                return False
        return True

    def bytes(self) -> bytes:
        return b"".join(self._chunks)


async def _read_body(request: Request, limit: int) -> bytes:
    body = _Body(request)
    if not await body.within(limit):
        raise _too_big(limit)
    return body.bytes()


_limits: dict[tuple[bool, str, str], int] = {}
"""The body limit the last request to each webhook (test?, method, path) found: the
next request reads its body under it first, then resolves and runs in one thread
hand-off instead of two; the limit in force is checked again there."""


def _resolve_and_dispatch(
    key: tuple[bool, str, str], data: webhooks.WebhookRequest, runner: Any
) -> webhooks.WebhookResponse:
    test, method, path = key
    target = webhooks.resolve(method, path, test=test)
    limit = _remember(key, target)
    if len(data.body) > limit:
        raise _too_big(limit)
    return webhooks.dispatch(target, data, runner=runner)


def _remember(key: tuple[bool, str, str], target: Any) -> int:
    limit = int(target.params.max_body_bytes)
    if _limits.get(key) != limit:
        if len(_limits) >= 1024:
            _limits.clear()
        _limits[key] = limit
    return limit


def _response(resp: webhooks.WebhookResponse, method: str) -> Response:
    body = b"" if method == "HEAD" else resp.body
    out = Response(body, status_code=resp.status, headers=resp.headers)
    if resp.execution_id:
        out.headers["X-Aura-Execution-Id"] = resp.execution_id
    return out


async def _webhook(request: Request) -> Response:
    test = request.url.path.startswith("/webhook-test/")
    path = request.path_params["path"]
    data = _request_data(request, path)
    if request.method == "OPTIONS":
        resp = await run_in_threadpool(webhooks.preflight, path, data, test=test)
        return _response(resp, "OPTIONS")
    key, body, runner = (test, request.method, path), _Body(request), request.app.state.runner
    known = _limits.get(key)
    if known is not None and await body.within(known):  # one hand-off: the usual case
        data.body = body.bytes()
        resp = await run_in_threadpool(_resolve_and_dispatch, key, data, runner)
        return _response(resp, request.method)
    # first request to this webhook, or a body larger than it took last time: find the
    # node's limit before reading (more of) the body
    target = await run_in_threadpool(webhooks.resolve, request.method, path, test=test)
    limit = _remember(key, target)
    if not await body.within(limit):
        raise _too_big(limit)
    data.body = body.bytes()
    resp = await run_in_threadpool(webhooks.dispatch, target, data, runner=runner)
    return _response(resp, request.method)


async def _waiting(request: Request) -> Response:
    """``/webhook-waiting/<execution id>/<token>[/<suffix>]``: resumes an execution parked
    at a Wait node set to resume on a webhook (each resume URL works once)."""
    from engine.services import webhooks as waits

    p = request.path_params
    eid, token, suffix = p["execution_id"], p["token"], p.get("suffix", "")
    wait = await run_in_threadpool(waits.find_webhook_wait, eid, token)
    data = _request_data(request, request.url.path.split("/", 2)[2])
    data.body = await _read_body(request, request.app.state.max_body_bytes)
    item = webhooks.request_item(_WAIT_PARAMS, data, {})
    resumed = await run_in_threadpool(
        waits.resume_from_webhook, eid, token, item, method=request.method, suffix=suffix
    )
    return _response(
        webhooks.WebhookResponse.json(
            wait.response_code, {"execution_id": resumed, "resumed": True}, execution_id=resumed
        ),
        request.method,
    )


_WAIT_PARAMS = SimpleNamespace(raw_body=False, binary_property="data")


def webhook_routes() -> list[Route]:
    """The ``/webhook``, ``/webhook-test`` and ``/webhook-waiting`` routes (every
    method)."""
    return [
        Route("/webhook/{path:path}", _webhook, methods=_METHODS, name="webhook"),
        Route("/webhook-test/{path:path}", _webhook, methods=_METHODS, name="webhook_test"),
        Route(
            "/webhook-waiting/{execution_id}/{token}",
            _waiting,
            methods=_METHODS,
            name="webhook_waiting",
        ),
        Route(
            "/webhook-waiting/{execution_id}/{token}/{suffix:path}",
            _waiting,
            methods=_METHODS,
            name="webhook_waiting_suffix",
        ),
    ]
