"""``GET /api/v1/events``: live execution events as Server-Sent Events (``engine.events``).

With ``Accept: text/event-stream`` (what ``EventSource`` sends) the answer is a stream::

    retry: 3000
    : connected

    id: 6277e3b5c1a40-1a2b-7
    event: node.finished
    data: {"type": "node.finished", "execution_id": "...", "node": "Set", ...}

    : keepalive 2025-01-31T12:00:15+00:00

A comment line goes out every ``AURA_EVENTS_HEARTBEAT_S`` (15 s) while idle, so proxies
keep the connection; a client that reconnects with ``Last-Event-ID`` first gets the
kept events it missed. The stream ends when the client goes away (checked every second).
Any other ``Accept`` gets the recent events as JSON (``{"items": [...]}``), which also
keeps API fuzzers and plain ``curl`` from hanging on an endless body.

Callers who may not read every project (not owner/admin) only see the events of
executions they may read (:mod:`engine.services.access`); naming another project's
execution answers 404, as for an unknown one.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import anyio
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from engine.errors import NotFoundError, PermissionDenied
from engine.services import access
from studio.api.routing import Call, Router
from studio.api.schemas import In
from studio.api.serialize import json_response

__all__ = ["open_streams", "router", "routers"]

router = Router("Events")
_open = 0


def open_streams() -> int:
    """Event streams this process is serving (the API's ``active`` in the registry)."""
    return _open


class EventsQuery(In):
    execution_id: str | None = Field(
        None, max_length=64, description="Only this execution's events."
    )
    workflow_id: str | None = Field(
        None, max_length=64, description="Only events of this workflow's executions."
    )
    types: list[str] | None = Field(
        None,
        max_length=20,
        description="Only these types, "
        "comma-separated or repeated (e.g. 'node.finished' or "
        "'execution.*').",
    )
    limit: int = Field(100, ge=1, le=1000, description="JSON answers: how many recent events.")


class _Access:
    """Which events the caller may see (cached per execution)."""

    def __init__(self, call: Call) -> None:
        self.principal = call.principal
        self.all = access.sees_all(call.principal)
        self.known: dict[str, bool] = {}

    def _check(self, execution_id: str) -> bool:
        try:
            access.execution(self.principal, execution_id)
        except (NotFoundError, PermissionDenied):
            return False
        return True

    async def allows(self, event: dict[str, Any]) -> bool:
        if self.all:
            return True
        eid = str(event.get("execution_id") or "")
        if eid not in self.known:
            self.known[eid] = await run_in_threadpool(self._check, eid)
        return self.known[eid]


def _frame(event: dict[str, Any]) -> str:
    data = json.dumps(event, separators=(",", ":"), default=str)
    return f"id: {event.get('id', '')}\nevent: {event.get('type', 'message')}\ndata: {data}\n\n"


def _first_execution(call: Call) -> None:
    """404 for an unknown execution or one the caller may not read."""
    access.execution(call.principal, call.query.execution_id)


async def _stream(call: Call, request: Request) -> AsyncIterator[str]:
    global _open
    from engine.services import events

    q = call.query
    access = _Access(call)
    heartbeat = events.heartbeat_s()
    sub = await events.asubscribe(q.execution_id, q.types, workflow_id=q.workflow_id)
    _open += 1
    try:
        yield "retry: 3000\n: connected\n\n"
        last_id = request.headers.get("last-event-id", "")
        seen: set[str] = set()
        if last_id:
            missed = await run_in_threadpool(
                events.replay_after,
                last_id,
                execution_id=q.execution_id,
                workflow_id=q.workflow_id,
                types=q.types,
            )
            for old in missed:
                seen.add(str(old.get("id")))
                if await access.allows(old):
                    yield _frame(old)
        next_beat = time.monotonic() + heartbeat
        while True:
            wait = max(0.0, min(1.0, next_beat - time.monotonic()))
            ev = await sub.get(wait)
            if ev is not None:
                if str(ev.get("id")) in seen:
                    continue
                if await access.allows(ev):
                    yield _frame(ev)
                    next_beat = time.monotonic() + heartbeat
                continue
            if await request.is_disconnected():
                return
            if time.monotonic() >= next_beat:
                yield f": keepalive {datetime.now(UTC).isoformat(timespec='seconds')}\n\n"
                next_beat = time.monotonic() + heartbeat
    finally:
        _open -= 1
        with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
            await sub.aclose()  # also when the stream was cancelled (client gone)


@router.get(
    "/events",
    action="execution:read",
    summary="Follow live execution events",
    query=EventsQuery,
    media_type="text/event-stream",
    errors=(404,),
)
async def stream_events(call: Call) -> Response:
    """Server-Sent Events of executions (``execution.queued``, ``execution.started``,
    ``node.started``, ``node.finished``, ``execution.waiting``, ``execution.finished``)
    with statuses, timings and item counts, never item data. Filter by execution,
    workflow and types. Without ``Accept: text/event-stream``: the recent events as
    JSON ``{"items": [...]}``, oldest first."""
    from engine.services import events

    q = call.query
    if q.execution_id:
        await run_in_threadpool(_first_execution, call)
    request = call.request
    if "text/event-stream" not in request.headers.get("accept", ""):
        kept = await run_in_threadpool(
            events.recent,
            q.limit,
            execution_id=q.execution_id,
            workflow_id=q.workflow_id,
            types=q.types,
        )
        access = _Access(call)
        return json_response({"items": [e for e in kept if await access.allows(e)]})
    return StreamingResponse(
        _stream(call, request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def routers() -> list[Router]:
    """The events router."""
    return [router]
