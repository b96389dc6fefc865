"""The states and kinds the store records, and which state changes are allowed.

Statuses are stored as plain strings (no database enum), so adding a value later needs
no migration. :data:`TRANSITIONS` is the one table of allowed execution status changes;
:meth:`ExecutionStatus.can_become` reads it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FINISHED", "TRANSITIONS", "ExecutionMode", "ExecutionStatus", "NodeRunStatus"]


class ExecutionStatus(StrEnum):
    """Where an execution is in its life.

    ``queued`` waits for a worker; ``running`` is on one; ``waiting`` is parked durably
    (a Wait node, a webhook resume) with no worker attached; the last four are final.
    ``crashed`` means the worker died or lost its heartbeat mid-run.
    """

    QUEUED = "queued"
    RUNNING = "running"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    CRASHED = "crashed"

    @property
    def finished(self) -> bool:
        """True for the final states (succeeded, failed, cancelled, crashed)."""
        return self in FINISHED

    def can_become(self, other: ExecutionStatus) -> bool:
        """Whether an execution in this status may move to ``other``."""
        return other in TRANSITIONS[self]


FINISHED: frozenset[ExecutionStatus] = frozenset({
    ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED,
    ExecutionStatus.CRASHED,
})

_S = ExecutionStatus
TRANSITIONS: dict[ExecutionStatus, frozenset[ExecutionStatus]] = {
    # a queued run starts, is cancelled, or fails before starting (workflow gone...)
    _S.QUEUED: frozenset({_S.RUNNING, _S.CANCELLED, _S.FAILED}),
    # a running one may park, finish, or go back to the queue when its worker is lost
    _S.RUNNING: frozenset({_S.WAITING, _S.QUEUED, *FINISHED}),
    # a parked one resumes (in place or through the queue) or is ended
    _S.WAITING: frozenset({_S.RUNNING, _S.QUEUED, _S.CANCELLED, _S.FAILED, _S.CRASHED}),
    # final states are final
    _S.SUCCEEDED: frozenset(),
    _S.FAILED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.CRASHED: frozenset(),
}
"""status -> statuses it may move to. No status moves to itself, so ``queued -> running``
succeeds for exactly one of several workers claiming the same execution."""


class ExecutionMode(StrEnum):
    """What started an execution."""

    MANUAL = "manual"
    TRIGGER = "trigger"
    WEBHOOK = "webhook"
    SCHEDULE = "schedule"
    RETRY = "retry"
    SUBWORKFLOW = "subworkflow"
    ERROR = "error"
    CLI = "cli"


class NodeRunStatus(StrEnum):
    """The outcome of one run of one node inside an execution."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    DISABLED = "disabled"
    PINNED = "pinned"
    CANCELLED = "cancelled"
    WAITING = "waiting"  # the node parked its execution (durable wait)
    REUSED = "reused"    # output taken from an earlier run (partial runs)
