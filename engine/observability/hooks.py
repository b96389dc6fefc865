""":class:`ExecutionObserver`: the execution hooks of operations, chained wherever an
execution is recorded (:func:`engine.services.runs.execute_recorded`, inline and on the
workers alike).

While an execution runs, its id, its workflow's id and the credential secrets it has
resolved are bound to the log context (:mod:`engine.observability.logging`); each node
run and the execution's end are counted (:mod:`engine.observability.metrics`) and
logged: a failed node or execution at WARNING (with its error, secrets masked), every
other end at INFO. With tracing on (:mod:`engine.observability.tracing`) the execution
and each node run are spans.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC
from typing import TYPE_CHECKING

from engine.events.bus import forked_child
from engine.executor.hooks import ExecutionHooks
from engine.observability import logging as aura_logging
from engine.observability import metrics, tracing

if TYPE_CHECKING:
    from engine.executor.result import ExecutionResult, NodeRunRecord

__all__ = ["ExecutionObserver"]

log = logging.getLogger("aura.execution")
FAILED = frozenset({"failed", "crashed"})


class ExecutionObserver(ExecutionHooks):
    """Logs context and metrics of one execution."""

    def __init__(
        self,
        workflow_id: str | None,
        workflow_name: str,
        mode: str,
        secrets: set[str] | None = None,
    ) -> None:
        self.workflow_id = workflow_id or ""
        self.workflow_name = workflow_name or ""
        self.mode = mode or ""
        self.secrets = secrets
        self._bound: aura_logging.Bound | None = None
        self._span: tracing.SpanHandle | None = None
        self._node_spans: dict[tuple[str, int], tracing.SpanHandle] = {}

    def execution_started(self, result: ExecutionResult) -> None:
        self._bound = aura_logging.bind_execution(result.id, self.workflow_id, self.secrets)
        _count_queue_wait(result)
        self._span = tracing.start(
            f"execution {self.workflow_name}".strip(),
            {
                "aura.execution_id": result.id,
                "aura.workflow_id": self.workflow_id or None,
                "aura.workflow": self.workflow_name,
                "aura.mode": self.mode,
            },
        )

    def node_started(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        if self._span is None:
            return
        span = tracing.start(
            f"node {run.node}",
            {"aura.node": run.node, "aura.node_type": run.type, "aura.execution_id": result.id},
        )
        if span is not None:
            self._node_spans[(run.node, run.index)] = span

    def node_finished(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        status = str(run.status)
        span = self._node_spans.pop((run.node, run.index), None)
        if span is not None:
            tracing.end(
                span,
                error=_message(run.error) if status in FAILED else None,
                attributes={"aura.status": status},
            )
        if status == "reused":  # taken from a checkpoint, not run again
            return
        ms = run.duration_ms
        metrics.node_finished(run.type, status, None if ms is None else ms / 1000)
        if status in FAILED:
            log.warning(
                "node failed",
                extra={"node": run.node, "node_type": run.type, "error": _message(run.error)},
            )

    def execution_finished(self, result: ExecutionResult) -> None:
        seconds = None
        if result.finished_at is not None:
            seconds = (result.finished_at - result.started_at).total_seconds()
        status = str(result.status)
        metrics.execution_finished(self.workflow_id, self.workflow_name, self.mode, status, seconds)
        log.log(
            logging.WARNING if status in FAILED else logging.INFO,
            "execution %s",
            status,
            extra={
                "workflow": self.workflow_name,
                "mode": self.mode,
                "status": status,
                "duration_s": None if seconds is None else round(seconds, 3),
                "error": _message(result.error) if status in FAILED else None,
            },
        )
        if self._span is not None:
            for left in self._node_spans.values():  # nodes stopped by a cancel or a crash
                tracing.end(left, error="did not finish")
            self._node_spans.clear()
            tracing.end(
                self._span,
                error=_message(result.error) if status in FAILED else None,
                attributes={"aura.status": status},
            )
            self._span = None
            if forked_child():
                tracing.flush()  # a work horse exits right after its execution
        if forked_child():  # a work horse exits right after its execution
            from engine.observability import streaming

            streaming.flush()
        if self._bound is not None:
            aura_logging.unbind_execution(self._bound)
            self._bound = None


def _message(error: dict[str, object] | None) -> str | None:
    return None if not error else str(error.get("message") or error)[:2000]


def _count_queue_wait(result: ExecutionResult) -> None:
    """In an RQ worker: how long the job of this execution waited in its queue."""
    rq = sys.modules.get("rq")  # only where RQ runs the job; never imported for this
    if rq is None:
        return
    try:
        job = rq.get_current_job()
    except Exception:  # no job, or Redis away: nothing to measure
        return
    if job is None or job.enqueued_at is None:
        return
    at = job.enqueued_at if job.enqueued_at.tzinfo else job.enqueued_at.replace(tzinfo=UTC)
    metrics.queue_wait(str(job.origin), (result.started_at - at).total_seconds())
