"""A canned AURA API behind an ``httpx.MockTransport``.

* Routes the server does not have yet (queues, queue jobs, workers) answer with fixed
  data, so the console's "lights up when the route exists" paths are tested today; the
  service registry and event stream can be canned too (fixed data, events a test pushes).
* ``hide`` makes routes answer 404, to test the fallbacks of a server without them.
* With ``forward`` set, every other request goes to the real test server; without it, a
  small fixed data set answers (deterministic, for the snapshots).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.tui._canned_knowledge import knowledge_route

FIXED = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
WORKFLOWS = [
    {"id": "wf-greet-0001", "name": "Greet orders", "active": True, "tags": ["demo"],
     "folder": "", "version": 3, "published": True,
     "created_at": "2025-03-01T08:00:00+00:00", "updated_at": "2025-03-12T16:45:00+00:00"},
    {"id": "wf-fails-0002", "name": "Always fails", "active": False,
     "tags": ["demo", "broken"], "folder": "", "version": 1, "published": False,
     "created_at": "2025-03-02T08:00:00+00:00", "updated_at": "2025-03-10T10:15:00+00:00"},
]
DEFINITION = json.loads((__import__("pathlib").Path(__file__).parent / "workflows" /
                         "greet.json").read_text())


def _iso(at: datetime) -> str:
    return at.isoformat()


def _execution(eid: str, wf: dict[str, Any], status: str, created: datetime,
               ms: float | None, error: str | None = None) -> dict[str, Any]:
    started = created + timedelta(milliseconds=5)
    finished = started + timedelta(milliseconds=ms) if ms is not None else None
    return {"id": eid, "workflow_id": wf["id"], "workflow_name": wf["name"],
            "mode": "manual", "status": status, "created_at": _iso(created),
            "started_at": _iso(started), "finished_at": finished and _iso(finished),
            "duration_ms": ms, "error": {"message": error} if error else None,
            "attempt": 1, "retry_of": None}


def _detail() -> dict[str, Any]:
    ex = _execution("ex-detail-00000001", WORKFLOWS[0], "succeeded", FIXED, 21.5)
    at = FIXED + timedelta(milliseconds=6)
    ada = {"json": {"customer": "Ada", "total": 150}}
    bob = {"json": {"customer": "Bob", "total": 20}}

    def run(node: str, type_: str, i: int, inputs: int, outputs: dict[str, Any]
            ) -> dict[str, Any]:
        return {"node": node, "type": type_, "type_version": 1, "index": i,
                "status": "succeeded", "started_at": _iso(at + timedelta(milliseconds=i)),
                "finished_at": _iso(at + timedelta(milliseconds=i + 1)), "duration_ms": 1.0,
                "attempts": 1, "input_counts": {"main": inputs},
                "output_counts": {k: len(v) for k, v in outputs.items()},
                "outputs": outputs, "error": None, "logs": []}

    ex["node_runs"] = [
        run("Start", "core.manual_trigger", 0, 2, {"main": [ada, bob]}),
        run("Big?", "core.if", 1, 2, {"true": [ada], "false": [bob]}),
        run("Priority", "core.set", 2, 1,
            {"main": [{"json": {**ada["json"], "lane": "priority"}}]}),
        run("Standard", "core.set", 3, 1,
            {"main": [{"json": {**bob["json"], "lane": "standard"}}]}),
    ]
    return ex


class CannedApi:
    """The fake routes; ``events`` is a queue the test feeds the SSE stream from."""

    def __init__(self, forward: str | None = None, *, fleet: bool = True,
                 stream: bool = True, hide: frozenset[str] = frozenset()) -> None:
        self.forward = forward
        self.hide = hide
        self.fleet = fleet
        self.stream = stream
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.requeued: list[tuple[str, str]] = []
        self._real: httpx.AsyncClient | None = None
        self.streams_opened = 0
        # half a minute off each minute boundary, so per-minute figures are stable
        now = datetime.now(UTC) - timedelta(seconds=30)
        greet, fails = WORKFLOWS
        self.executions = [
            _execution("ex-recent-0000001", greet, "running", now - timedelta(minutes=1),
                       None),
            _execution("ex-recent-0000002", fails, "failed", now - timedelta(minutes=3),
                       12.0, "The warehouse API is down"),
            *(_execution(f"ex-recent-00001{i:02d}", greet, "succeeded",
                         now - timedelta(minutes=5 + 2 * i), 20.0 + i) for i in range(12)),
        ]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    async def _sse(self) -> AsyncIterator[bytes]:
        self.streams_opened += 1
        yield b": connected\n\n"
        while True:
            event = await self.events.get()
            body = json.dumps(event)
            yield f"event: {event.get('type', 'message')}\ndata: {body}\n\n".encode()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        method = request.method
        if path in self.hide:  # a server without this route
            return httpx.Response(404, json={"error": "not_found", "details": None,
                                             "message": f"There is no {path}."})
        if self.fleet or self.stream:
            got = self._fleet(method, path, request)
            if got is not None:
                return got
        if self.forward:
            return await self._forward(request)
        return self._fixed(method, path, request)

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        """The real server's answer, streamed (the event stream never ends)."""
        if self._real is None:
            self._real = httpx.AsyncClient(base_url=self.forward or "",
                                           timeout=httpx.Timeout(30, read=None))
        upstream = await self._real.send(self._real.build_request(
            request.method, request.url.raw_path.decode(), headers=request.headers,
            content=request.content), stream=True)

        async def body() -> AsyncIterator[bytes]:
            try:
                async for chunk in upstream.aiter_raw():
                    yield chunk
            finally:
                await upstream.aclose()

        headers = [(k, v) for k, v in upstream.headers.multi_items()
                   if k.lower() not in ("content-length", "transfer-encoding")]
        return httpx.Response(upstream.status_code, headers=headers, content=body())

    def _fleet(self, method: str, path: str, request: httpx.Request) -> httpx.Response | None:
        if path == "/api/v1/events" and self.stream:
            return httpx.Response(200, headers={"content-type": "text/event-stream"},
                                  content=self._sse())
        if not self.fleet:
            return None
        if path == "/api/v1/services":
            return httpx.Response(200, json={"items": [
                {"name": "studio-1", "kind": "studio", "status": "healthy",
                 "version": "0.1.0", "uptime_s": 7265, "host": "app-1"},
                {"name": "worker-a", "kind": "worker", "status": "healthy",
                 "version": "0.1.0", "uptime_s": 3600, "host": "work-1"},
                {"name": "scheduler", "kind": "scheduler", "status": "stale",
                 "version": "0.1.0", "uptime_s": 86400 * 3, "host": "app-1"}]})
        if path == "/api/v1/queues":
            return httpx.Response(200, json={"items": [
                {"name": "default", "queued": 4, "started": 1, "scheduled": 2, "failed": 1},
                {"name": "priority", "queued": 0, "started": 0, "scheduled": 0,
                 "failed": 0}]})
        if path == "/api/v1/workers":
            return httpx.Response(200, json={"items": [
                {"name": "worker-a.1", "state": "busy", "queues": ["priority", "default"],
                 "current_execution_id": "ex-recent-0000001", "hostname": "work-1",
                 "last_heartbeat": _iso(datetime.now(UTC) - timedelta(seconds=3))},
                {"name": "worker-a.2", "state": "idle", "queues": ["default"],
                 "hostname": "work-1",
                 "last_heartbeat": _iso(datetime.now(UTC) - timedelta(seconds=4))}]})
        if path.startswith("/api/v1/queues/") and path.endswith("/jobs"):
            queue = path.split("/")[4]
            state = request.url.params.get("state", "")
            if queue == "default" and state == "failed":
                return httpx.Response(200, json={"items": [
                    {"id": "job-0001", "execution_id": "ex-recent-0000002",
                     "status": "failed", "enqueued_at": _iso(FIXED),
                     "exc_info": "Traceback...\nNodeExecutionError: The warehouse API is "
                                 "down"}]})
            return httpx.Response(200, json={"items": []})
        if path.endswith("/requeue") and method == "POST":
            parts = path.split("/")
            self.requeued.append((parts[4], parts[6]))
            return httpx.Response(200, json={"requeued": True})
        return None

    def _fixed(self, method: str, path: str, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if path == "/healthz":
            return httpx.Response(200, json={"status": "ok", "uptime_s": 465.0})
        if path == "/readyz":
            return httpx.Response(200, json={"status": "ready", "checks": {
                "database": "ok", "redis": "ok"}})
        if path == "/api/v1/openapi.json":
            return httpx.Response(200, json={"info": {"version": "1.0.0"}})
        if path == "/api/v1/auth/me":
            return httpx.Response(200, json={"id": "u1", "email": "operator@example.com",
                                             "name": "Operator", "role": "owner",
                                             "allowed_actions": ["*"]})
        if path == "/api/v1/workflows":
            items = [w for w in WORKFLOWS if params.get("search", "").lower()
                     in w["name"].lower()]
            return httpx.Response(200, json={"items": items, "total": len(items),
                                             "limit": 200, "offset": 0})
        if path.startswith("/api/v1/workflows/"):
            wf = next(w for w in WORKFLOWS if w["id"] == path.split("/")[4])
            return httpx.Response(200, json={**wf, "definition": DEFINITION,
                                             "published_version": wf["version"]})
        if path == "/api/v1/executions":
            rows = [e for e in self.executions
                    if params.get("status") in (None, e["status"])
                    and params.get("workflow_id") in (None, e["workflow_id"])]
            limit = int(params.get("limit", 50))
            return httpx.Response(200, json={"items": rows[:limit], "total": len(rows),
                                             "limit": limit, "offset": 0})
        if path.startswith("/api/v1/executions/"):
            return httpx.Response(200, json=_detail())
        if (known := knowledge_route(path)) is not None:
            return known
        return httpx.Response(404, json={"error": "not_found", "message": f"No {path}.",
                                         "details": None})
