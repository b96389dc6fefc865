"""Typed results of the API client: small frozen dataclasses built from JSON.

Parsing is forgiving on purpose (``.get`` with defaults): the console must keep working
against servers a little older or newer than itself. Routes that other parts of AURA are
still building (services, queues, workers, events) are read through :func:`items_of`
and several candidate field names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

__all__ = ["Event", "Execution", "ExecutionSummary", "Health", "Job", "Me", "NodeRun",
           "Page", "ProjectQuota", "QueueInfo", "Quotas", "Service", "WorkerInfo", "Workflow",
           "WorkflowSummary",
           "items_of", "parse_time"]

JSON = dict[str, Any]
T = TypeVar("T")


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 string or a Unix timestamp (None if neither)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), tz=UTC)
    try:
        text = str(value).replace("Z", "+00:00")
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def items_of(data: Any) -> list[JSON]:
    """The list in a response: a bare list, or ``items``/``data``/``results`` of a page."""
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    if isinstance(data, dict):
        for key in ("items", "data", "results", "services", "queues", "workers", "jobs"):
            if isinstance(data.get(key), list):
                return [d for d in data[key] if isinstance(d, dict)]
    return []


def _first(data: JSON, *keys: str, default: Any = None) -> Any:
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return default


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list endpoint."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class Me:
    """Who the console is signed in as."""

    id: str
    email: str
    name: str
    role: str
    allowed_actions: frozenset[str]

    @classmethod
    def from_json(cls, d: JSON) -> Me:
        return cls(str(d.get("id", "")), str(d.get("email", "")), str(d.get("name", "")),
                   str(d.get("role", "")), frozenset(d.get("allowed_actions") or ()))


@dataclass(frozen=True)
class Health:
    """``/healthz`` and ``/readyz`` of the API server."""

    ok: bool
    uptime_s: float | None
    ready: bool | None = None
    checks: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkflowSummary:
    """A row of the workflow list."""

    id: str
    name: str
    active: bool
    tags: list[str]
    version: int
    published: bool
    updated_at: datetime | None

    @classmethod
    def from_json(cls, d: JSON) -> WorkflowSummary:
        return cls(str(d["id"]), str(d.get("name", "")), bool(d.get("active")),
                   [str(t) for t in d.get("tags") or []], int(d.get("version") or 0),
                   bool(d.get("published")), parse_time(d.get("updated_at")))


@dataclass(frozen=True)
class Workflow(WorkflowSummary):
    """A workflow with its draft definition."""

    definition: JSON = field(default_factory=dict)
    published_version: int | None = None

    @classmethod
    def from_json(cls, d: JSON) -> Workflow:
        base = WorkflowSummary.from_json(d)
        return cls(base.id, base.name, base.active, base.tags, base.version, base.published,
                   base.updated_at, dict(d.get("definition") or {}),
                   _int(d.get("published_version")))


@dataclass(frozen=True)
class ExecutionSummary:
    """A row of the execution list."""

    id: str
    workflow_id: str | None
    workflow_name: str
    mode: str
    status: str
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: float | None
    error: JSON | None
    attempt: int

    @classmethod
    def from_json(cls, d: JSON) -> ExecutionSummary:
        return cls(str(d["id"]), d.get("workflow_id"), str(d.get("workflow_name") or ""),
                   str(d.get("mode") or ""), str(d.get("status") or "unknown"),
                   parse_time(d.get("created_at")), parse_time(d.get("started_at")),
                   parse_time(d.get("finished_at")), d.get("duration_ms"),
                   d.get("error"), int(d.get("attempt") or 1))

    @property
    def error_message(self) -> str:
        """The error's message, or ``""``."""
        if not self.error:
            return ""
        return str(self.error.get("message") or self.error.get("type") or self.error)


@dataclass(frozen=True)
class NodeRun:
    """One node's run inside an execution: status, timing, item counts and outputs."""

    node: str
    type: str
    status: str
    started_at: datetime | None
    duration_ms: float | None
    input_counts: dict[str, int]
    output_counts: dict[str, int]
    outputs: dict[str, Any]
    error: JSON | None
    logs: list[Any]

    @classmethod
    def from_json(cls, d: JSON) -> NodeRun:
        return cls(str(d.get("node", "")), str(d.get("type", "")), str(d.get("status", "")),
                   parse_time(d.get("started_at")), d.get("duration_ms"),
                   dict(d.get("input_counts") or {}), dict(d.get("output_counts") or {}),
                   dict(d.get("outputs") or {}), d.get("error"), list(d.get("logs") or []))

    @property
    def items_in(self) -> int:
        return sum(int(v) for v in self.input_counts.values())

    @property
    def items_out(self) -> int:
        return sum(int(v) for v in self.output_counts.values())


@dataclass(frozen=True)
class Execution(ExecutionSummary):
    """An execution with every node run."""

    node_runs: list[NodeRun] = field(default_factory=list)

    @classmethod
    def from_json(cls, d: JSON) -> Execution:
        s = ExecutionSummary.from_json(d)
        return cls(s.id, s.workflow_id, s.workflow_name, s.mode, s.status, s.created_at,
                   s.started_at, s.finished_at, s.duration_ms, s.error, s.attempt,
                   [NodeRun.from_json(r) for r in d.get("node_runs") or []])


@dataclass(frozen=True)
class Service:
    """A process in the service registry (studio, worker, scheduler...)."""

    name: str
    kind: str
    status: str
    version: str
    uptime_s: float | None
    host: str
    last_seen: datetime | None
    load: int | None = None
    pid: int | None = None

    @classmethod
    def from_json(cls, d: JSON) -> Service:
        started = parse_time(_first(d, "started_at", "start_time"))
        uptime = _first(d, "uptime_s", "uptime")
        if uptime is None and started is not None:
            uptime = (datetime.now(UTC) - started).total_seconds()
        return cls(str(_first(d, "name", "id", default="?")),
                   str(_first(d, "kind", "type", "role", default="")),
                   str(_first(d, "health", "status", "state", default="unknown")),
                   str(_first(d, "version", default="")),
                   float(uptime) if uptime is not None else None,
                   str(_first(d, "host", "hostname", default="")),
                   parse_time(_first(d, "last_heartbeat", "last_seen", "heartbeat_at")),
                   _int(_first(d, "active", "load")), _int(_first(d, "pid")))


@dataclass(frozen=True)
class QueueInfo:
    """Job counts of one queue (``None``: the server did not say)."""

    name: str
    queued: int | None
    started: int | None
    scheduled: int | None
    failed: int | None

    @classmethod
    def from_json(cls, d: JSON) -> QueueInfo:
        return cls(str(_first(d, "name", "queue", default="?")),
                   _int(_first(d, "queued", "count", "size", "length")),
                   _int(_first(d, "started", "running")),
                   _int(_first(d, "scheduled", "deferred")),
                   _int(_first(d, "failed")))


@dataclass(frozen=True)
class ProjectQuota:
    """One project's concurrency quota and load (an item of ``GET /api/v1/quotas``,
    the API's ``QuotaOut``)."""

    project_id: str
    name: str
    quota: int | None
    """Executions it may run at once; None: no limit."""
    overridden: bool
    running: int
    queued: int
    held: int

    @classmethod
    def from_json(cls, d: JSON) -> ProjectQuota:
        return cls(str(d["project_id"]), str(d["name"]), _int(d["quota"]),
                   bool(d["overridden"]), int(d["running"]), int(d["queued"]),
                   int(d["held"]))


@dataclass(frozen=True)
class Quotas:
    """``GET /api/v1/quotas``: the default quota and each visible project's."""

    default_quota: int | None
    items: list[ProjectQuota]

    @classmethod
    def from_json(cls, d: JSON) -> Quotas:
        return cls(_int(d["default_quota"]), [ProjectQuota.from_json(x) for x in d["items"]])


@dataclass(frozen=True)
class WorkerInfo:
    """A queue worker and what it is doing."""

    name: str
    state: str
    queues: list[str]
    current_job: str
    host: str
    last_heartbeat: datetime | None

    @classmethod
    def from_json(cls, d: JSON) -> WorkerInfo:
        queues = _first(d, "queues", default=[])
        job = _first(d, "current_execution_id", "current_job_id", "current_job", default="")
        if isinstance(job, dict):
            job = job.get("execution_id") or job.get("id") or ""
        return cls(str(_first(d, "name", "id", default="?")),
                   str(_first(d, "state", "status", default="unknown")),
                   [str(q) for q in queues] if isinstance(queues, list) else [str(queues)],
                   str(job or ""), str(_first(d, "hostname", "host", default="")),
                   parse_time(_first(d, "last_heartbeat", "heartbeat_at", "last_seen")))


@dataclass(frozen=True)
class Job:
    """A job in a queue registry (an execution waiting, running or failed on RQ)."""

    id: str
    queue: str
    state: str
    execution_id: str
    enqueued_at: datetime | None
    error: str

    @classmethod
    def from_json(cls, d: JSON, queue: str = "") -> Job:
        err = _first(d, "exc_info", "error", default="")
        if isinstance(err, dict):
            err = err.get("message") or str(err)
        lines = [ln for ln in str(err).strip().splitlines() if ln.strip()]
        return cls(str(_first(d, "id", "job_id", default="?")),
                   str(_first(d, "queue", "origin", default=queue)),
                   str(_first(d, "state", "status", default="")),
                   str(_first(d, "execution_id", default="")),
                   parse_time(_first(d, "enqueued_at", "created_at")),
                   lines[-1] if lines else "")


@dataclass(frozen=True)
class Event:
    """One live event (``execution.started``, ``node.finished``...).

    ``source`` is "stream" for events from ``/api/v1/events`` and "poll" for the ones the
    console derives from status changes in ``/executions`` when there is no stream.
    """

    type: str
    at: datetime
    execution_id: str = ""
    workflow_id: str = ""
    workflow_name: str = ""
    node: str = ""
    status: str = ""
    message: str = ""
    data: JSON = field(default_factory=dict)
    source: str = "stream"

    @classmethod
    def from_json(cls, name: str, d: JSON) -> Event:
        payload = d.get("data") if isinstance(d.get("data"), dict) else d
        assert isinstance(payload, dict)
        kind = name if name and name != "message" else str(
            _first(d, "type", "event", "name", default="message"))
        err = _first(payload, "error", default=None)
        message = _first(payload, "message", default="")
        if not message and isinstance(err, dict):
            message = err.get("message", "")
        return cls(kind, parse_time(_first(d, "at", "time", "timestamp", "ts"))
                   or datetime.now(UTC),
                   str(_first(payload, "execution_id", "execution", default="")),
                   str(_first(payload, "workflow_id", default="")),
                   str(_first(payload, "workflow_name", "workflow", default="")),
                   str(_first(payload, "node", "node_name", default="")),
                   str(_first(payload, "status", default="")), str(message), dict(d))
