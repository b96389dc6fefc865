""":class:`EventPublisher`: the execution hooks that turn a run into live events.

:func:`engine.services.runs.execute_recorded` adds one to every recorded run (inline or
on a worker), so each run publishes, in order::

    execution.started → (node.started → node.finished)* → execution.finished
                                                        | execution.waiting (parked)

Nodes that do not run (pinned, disabled, reused from a checkpoint) publish only
``node.finished``. Every event of a run carries ``seq`` (strictly increasing in the order
the run produced them, also across a parked run and its resumption), so a viewer that
gets them late or out of order keeps the newest state of each node (a late
``node.started`` never turns a finished node back into a running one). Events carry
statuses, timings and item counts, and ``node.finished`` also the node's output for live
viewers: the first ``AURA_EVENTS_NODE_ITEMS`` items of each port and the last log lines,
dropped (``data_truncated``) beyond ``AURA_EVENTS_NODE_BYTES``. Never parameters or
credentials: item data, logs and error messages are redacted with the run's secrets (as
the stored record is), and messages are cut to :data:`MAX_MESSAGE` characters.

A hook only builds a small dict and hands it to :func:`engine.events.bus.publish` (a
deque append). The end of a run has its events sent at once; in a forked RQ work horse
it also waits (at most ``AURA_EVENTS_FLUSH_TIMEOUT_S``) until they reached Redis, since
the horse exits right after.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.events import bus
from engine.events.types import (
    EXECUTION_FINISHED,
    EXECUTION_QUEUED,
    EXECUTION_STARTED,
    EXECUTION_WAITING,
    NODE_FINISHED,
    NODE_STARTED,
    Event,
    new_event,
)
from engine.executor.hooks import ExecutionHooks

if TYPE_CHECKING:
    from engine.executor.result import ExecutionResult, NodeRunRecord

__all__ = [
    "MAX_MESSAGE",
    "EventPublisher",
    "error_summary",
    "publish_execution_finished",
    "publish_queued",
]

MAX_MESSAGE = 500
"""Longest error message an event carries."""

MAX_LOG_LINES = 50
"""Last log lines of a node a ``node.finished`` event carries."""

Publish = Callable[[Event | list[Event]], None]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _ms(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() * 1000, 3)


def error_summary(
    error: dict[str, Any] | None, secrets: set[str] | None = None
) -> dict[str, Any] | None:
    """``type``, ``code``, ``node`` and a redacted, shortened ``message`` of an error
    (its ``details`` may hold item data, so they are left out)."""
    if not error:
        return None
    message = str(error.get("message") or "")
    if secrets:
        from engine.vault.redact import Redactor

        message = Redactor(secrets).text(message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    out = {
        "type": error.get("type"),
        "code": error.get("code"),
        "node": error.get("node"),
        "message": message,
    }
    return {k: v for k, v in out.items() if v is not None}


class EventPublisher(ExecutionHooks):
    """Publishes the events of one run.

    Args:
        workflow_id: the stored workflow (None for an ad-hoc definition).
        workflow_name: shown by consoles.
        mode: what started the run (manual, webhook, schedule...).
        secrets: the run's credential secrets (filled while it runs); redacted from
            error messages.
        publish: where events go (default :func:`engine.events.bus.publish`).
        flush: wait for delivery at the end of the run (default: only in a forked
            process, see :func:`engine.events.bus.forked_child`).
    """

    def __init__(
        self,
        *,
        workflow_id: str | None,
        workflow_name: str,
        mode: str,
        secrets: set[str] | None = None,
        resumed: bool = False,
        publish: Publish | None = None,
        flush: bool | None = None,
    ) -> None:
        self.workflow_id = workflow_id
        self.workflow_name = workflow_name
        self.mode = mode
        self.secrets = secrets
        self.resumed = resumed
        self._publish = publish or bus.publish
        self._to_bus = publish is None
        self._flush = flush
        self._seq = 0
        self._limits: tuple[int, int] | None = None

    def _event(self, type: str, result: ExecutionResult, **fields: Any) -> Event:
        # microseconds since the epoch, strictly increasing: a resumed run (another
        # process, later) goes on after the events of the run that parked
        self._seq = max(self._seq + 1, time.time_ns() // 1000)
        return new_event(
            type,
            execution_id=result.id,
            workflow_id=self.workflow_id,
            workflow_name=self.workflow_name,
            mode=self.mode,
            seq=self._seq,
            **fields,
        )

    def _node_data(self, run: NodeRunRecord) -> dict[str, Any]:
        """The node's output and last log lines, capped and redacted, for live viewers."""
        if self._limits is None:
            config = bus.event_settings()
            self._limits = (config.node_items, config.node_bytes)
        items, max_bytes = self._limits
        if items <= 0 or max_bytes <= 0 or (self._to_bus and not bus.live_viewers()):
            return {}  # none wanted, or nobody to see it (built for nobody otherwise)
        data: dict[str, Any] = {
            "outputs": {p: [i.to_dict() for i in v[:items]] for p, v in run.outputs.items()},
            "logs": list(run.logs[-MAX_LOG_LINES:]),
        }
        if self.secrets:
            from engine.vault.redact import Redactor

            data = Redactor(self.secrets)(data)
        if len(json.dumps(data, separators=(",", ":"), default=str)) > max_bytes:
            return {"data_truncated": True}
        return data

    def execution_started(self, result: ExecutionResult) -> None:
        self._publish(
            self._event(
                EXECUTION_STARTED,
                result,
                status="running",
                started_at=_iso(result.started_at),
                resumed=self.resumed,
            )
        )

    def node_started(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        self._publish(
            self._event(
                NODE_STARTED,
                result,
                node=run.node,
                node_type=run.type,
                index=run.index,
                status="running",
                started_at=_iso(run.started_at),
                input_counts=run.input_counts,
            )
        )

    def node_finished(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        self._publish(
            self._event(
                NODE_FINISHED,
                result,
                node=run.node,
                node_type=run.type,
                index=run.index,
                status=str(run.status),
                started_at=_iso(run.started_at),
                finished_at=_iso(run.finished_at),
                duration_ms=_ms(run.started_at, run.finished_at),
                attempts=run.attempts,
                input_counts=run.input_counts,
                output_counts=run.output_counts,
                error=error_summary(run.error, self.secrets),
                **self._node_data(run),
            )
        )

    def execution_finished(self, result: ExecutionResult) -> None:
        if str(result.status) == "waiting":
            cp = result.checkpoint
            wait = cp.wait if cp is not None else None
            self._publish(
                self._event(
                    EXECUTION_WAITING,
                    result,
                    status="waiting",
                    node=cp.node if cp is not None else None,
                    until=_iso(wait.until) if wait is not None else None,
                    resume=wait.resume if wait is not None else None,
                    nodes=len(result.node_runs),
                )
            )
        else:
            self._publish(
                self._event(
                    EXECUTION_FINISHED,
                    result,
                    status=str(result.status),
                    started_at=_iso(result.started_at),
                    finished_at=_iso(result.finished_at),
                    duration_ms=_ms(result.started_at, result.finished_at),
                    nodes=len(result.node_runs),
                    items=len(result.output),
                    last_node=result.last_node,
                    error=error_summary(result.error, self.secrets),
                )
            )
        if self._flush or (self._flush is None and bus.forked_child()):
            bus.flush()
        else:
            bus.kick()


def publish_queued(
    execution_id: str,
    *,
    workflow_id: str | None,
    workflow_name: str,
    mode: str,
    queue: str | None = None,
) -> None:
    """Publishes ``execution.queued`` for an execution put on an RQ queue (``queue``:
    default ``AURA_QUEUE_NAME``)."""
    if queue is None:
        from engine.config import settings

        queue = settings().queue.name
    bus.publish(
        new_event(
            EXECUTION_QUEUED,
            execution_id=execution_id,
            workflow_id=workflow_id,
            workflow_name=workflow_name,
            mode=mode,
            status="queued",
            queue=queue,
        )
    )


def publish_execution_finished(
    row: Any, status: str | None = None, error: dict[str, Any] | None = None
) -> None:
    """Publishes ``execution.finished`` for an execution ended outside the executor
    (cancelled while queued or waiting, crashed, timed out, failed before starting).

    ``row`` is the stored execution after its final status was written (``status`` and
    ``error`` default to its own). Never raises.
    """
    try:
        started, ended = row.started_at, row.finished_at
        err = error if error is not None else row.error
        bus.publish(
            new_event(
                EXECUTION_FINISHED,
                execution_id=row.id,
                workflow_id=row.workflow_id,
                workflow_name=row.workflow_name,
                mode=row.mode,
                status=str(status or row.status),
                started_at=_iso(started),
                finished_at=_iso(ended),
                duration_ms=_ms(started, ended),
                nodes=None,
                items=None,
                last_node=None,
                error=error_summary(err if isinstance(err, dict) else None),
            )
        )
        if bus.forked_child():
            bus.flush()
        else:
            bus.kick()
    except Exception:  # an event must never fail the caller
        logging.getLogger("engine.events").debug(
            "publishing execution.finished failed", exc_info=True
        )
