"""Prometheus metrics of every AURA process (API, workers, schedulers) on one machine.

Each process counts into memory-mapped files under ``AURA_METRICS_DIR`` (default
``<data dir>/metrics``): prometheus-client's multi-process mode, so the API's
``/metrics`` (:func:`render`) adds up what the workers ran and what the scheduler
fired. The recording functions below are what the rest of AURA calls; they do nothing
when ``AURA_METRICS_ENABLED`` is false. Figures that are read when scraped (queue
depth, workers busy or idle) come from :mod:`engine.observability.collectors`.

Label values stay few: workflow id and name, node type, status, queue, HTTP method,
route *template* (``/api/v1/workflows/{id}``, never the raw path) and status code.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path
from typing import Any

__all__ = [
    "CONTENT_TYPE",
    "execution_finished",
    "fresh_start",
    "http_request",
    "metrics_dir",
    "node_finished",
    "queue_wait",
    "render",
    "retention_pass",
    "sandbox_call",
    "scheduler_fired",
    "setup",
    "webhook_request",
]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
WAIT_BUCKETS = (0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10)
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)

log = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict[str, Any] = {}


def metrics_dir() -> Path:
    """Where the processes of this machine share their counts."""
    from engine.config import settings

    s = settings()
    return Path(s.metrics.dir or s.data_dir / "metrics")


def setup() -> bool:
    """Points prometheus-client at the shared directory (before it creates a metric);
    called once per process, again harmlessly. False when metrics are off."""
    from engine.config import settings

    if not settings().metrics.enabled:
        return False
    with _lock:
        if "dir" in _state:
            return True
        path = metrics_dir()
        path.mkdir(parents=True, exist_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
        from prometheus_client import values as _values

        values: Any = _values  # untyped

        # the value class is chosen when prometheus_client is first imported: choose
        # again in case something imported it before the directory was set
        values.ValueClass = values.get_value_class()
        _state["dir"] = path
        _state["m"] = _Metrics()
    return True


class _Metrics:
    """The metric objects (created once per process, after :func:`setup`)."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram

        self.executions = Counter(
            "aura_executions",
            "Executions that ended, by workflow, mode and status.",
            ["workflow_id", "workflow", "mode", "status"],
        )
        self.execution_seconds = Histogram(
            "aura_execution_duration_seconds",
            "Run time of executions (start to end).",
            ["workflow_id", "workflow", "status"],
            buckets=DURATION_BUCKETS,
        )
        self.node_runs = Counter(
            "aura_node_runs",
            'Node runs that ended, by node type and status (status="failed": failures).',
            ["node_type", "status"],
        )
        self.node_seconds = Histogram(
            "aura_node_run_duration_seconds",
            "Run time of node runs, by node type.",
            ["node_type"],
            buckets=DURATION_BUCKETS,
        )
        self.http = Counter(
            "aura_http_requests",
            "HTTP requests answered by the API, by route template.",
            ["method", "route", "status"],
        )
        self.http_seconds = Histogram(
            "aura_http_request_duration_seconds",
            "Time to answer HTTP requests.",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
        )
        self.webhooks = Counter(
            "aura_webhook_requests",
            "Webhook calls, by kind (webhook, webhook-test, webhook-waiting) and HTTP status.",
            ["kind", "status"],
        )
        self.queue_wait = Histogram(
            "aura_queue_wait_seconds",
            "How long executions waited in their RQ queue before a worker started them.",
            ["queue"],
            buckets=DURATION_BUCKETS,
        )
        self.sandbox_calls = Counter(
            "aura_sandbox_calls",
            "Calls into the sandbox pools (Code nodes), by language and outcome (run; "
            "unavailable: no sandbox process became free or could start).",
            ["language", "outcome"],
        )
        self.sandbox_wait = Histogram(
            "aura_sandbox_wait_seconds",
            "How long calls waited for a free sandbox process (pool use).",
            ["language"],
            buckets=WAIT_BUCKETS,
        )
        self.scheduler_lag = Histogram(
            "aura_scheduler_lag_seconds",
            "How late schedule slots fired (fire time minus slot time).",
            buckets=LAG_BUCKETS,
        )
        self.scheduler_fired = Counter(
            "aura_scheduler_slots_fired", "Schedule slots fired by the leader."
        )
        self.retention_deleted = Counter(
            "aura_retention_deleted", "Rows deleted by retention passes.", ["kind"]
        )
        self.retention_passes = Counter(
            "aura_retention_passes", "Retention passes, by result.", ["result"]
        )
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}

    def child(self, metric: Any, *values: str) -> Any:
        """``metric.labels(*values)``, kept: the hot paths (every HTTP request, every
        execution) count into the same few children, and ``labels()`` validates and locks
        on each call."""
        key = (id(metric), values)
        found = self._children.get(key)
        if found is None:
            if len(self._children) >= 4096:  # label values are few; a bound all the same
                self._children.clear()
            found = self._children[key] = metric.labels(*values)
        return found


def _m() -> _Metrics | None:
    if "m" not in _state:
        if _state.get("broken"):
            return None
        try:
            if not setup():
                return None
        except Exception as exc:  # e.g. a read-only data directory: count nothing
            _state["broken"] = True
            log.warning("metrics are off in this process: %s", exc)
            return None
    return _state.get("m")


def _safely(fn: Any) -> Any:
    """Metrics never break the work they count."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        m = _m()
        if m is None:
            return
        with contextlib.suppress(Exception):
            fn(m, *args, **kwargs)

    wrapper.__doc__ = fn.__doc__
    wrapper.__name__ = fn.__name__
    return wrapper


@_safely
def execution_finished(
    m: _Metrics, workflow_id: str, workflow: str, mode: str, status: str, seconds: float | None
) -> None:
    """Counts an execution that ended (or parked as ``waiting``)."""
    m.child(m.executions, workflow_id, workflow, mode, status).inc()
    if seconds is not None:
        m.child(m.execution_seconds, workflow_id, workflow, status).observe(max(0.0, seconds))


@_safely
def node_finished(m: _Metrics, node_type: str, status: str, seconds: float | None) -> None:
    """Counts a node run that ended."""
    m.child(m.node_runs, node_type, status).inc()
    if seconds is not None:
        m.child(m.node_seconds, node_type).observe(max(0.0, seconds))


@_safely
def http_request(m: _Metrics, method: str, route: str, status: int, seconds: float) -> None:
    """Counts an HTTP request answered by the API."""
    m.child(m.http, method, route, str(status)).inc()
    m.child(m.http_seconds, method, route).observe(seconds)


@_safely
def webhook_request(m: _Metrics, kind: str, status: int) -> None:
    """Counts a webhook call (``kind``: webhook, webhook-test, webhook-waiting)."""
    m.child(m.webhooks, kind, str(status)).inc()


@_safely
def queue_wait(m: _Metrics, queue: str, seconds: float) -> None:
    """Records how long an execution waited in ``queue`` for a worker."""
    m.queue_wait.labels(queue).observe(max(0.0, seconds))


@_safely
def sandbox_call(m: _Metrics, language: str, outcome: str, wait_s: float) -> None:
    """Counts a call into a sandbox pool and how long it waited for a process."""
    m.sandbox_calls.labels(language, outcome).inc()
    m.sandbox_wait.labels(language).observe(max(0.0, wait_s))


@_safely
def scheduler_fired(m: _Metrics, lag_s: float) -> None:
    """Counts a fired schedule slot and how late it fired."""
    m.scheduler_fired.inc()
    m.scheduler_lag.observe(max(0.0, lag_s))


@_safely
def retention_pass(m: _Metrics, executions: int, audit: int, *, ok: bool) -> None:
    """Counts a retention pass and what it deleted."""
    m.retention_passes.labels("ok" if ok else "error").inc()
    m.retention_deleted.labels("executions").inc(executions)
    m.retention_deleted.labels("audit_events").inc(audit)


def fresh_start() -> None:
    """Forgets what ended processes counted (``aura up``, before it starts its fleet)."""
    from engine.observability import _multiproc

    _multiproc.wipe(metrics_dir())


def render(extra: list[Any] | None = None) -> bytes:
    """The Prometheus text of every process on this machine, plus ``extra``
    collectors (figures read when scraped)."""
    from prometheus_client import CollectorRegistry, generate_latest

    setup()
    path = _state.get("dir") or metrics_dir()
    registry = CollectorRegistry()
    registry.register(_Files(path))
    for c in extra or []:
        registry.register(c)
    return bytes(generate_latest(registry))


class _Files:
    """A collector over the shared directory (see :mod:`._multiproc`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def collect(self) -> Any:
        from engine.observability import _multiproc

        if self.path.is_dir():
            yield from _multiproc.collect(self.path)
