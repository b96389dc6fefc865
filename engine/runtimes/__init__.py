"""Runtimes decide where the executor runs: inline (this process) or rq (workers).

The public API other parts of AURA call (webhooks, schedules, the CLI, the studio)::

    from engine.runtimes import dispatch, wait_for, cancel

Executions are recorded (and started) by :func:`engine.services.executions.start`, the
one door; a runtime dispatches a recorded one. See :mod:`engine.runtimes.queue`
(dispatch/wait/cancel), :mod:`.recovery` (crashed
and orphaned executions), :mod:`.concurrency` (per-workflow limits), :mod:`.fair`
(queues served round-robin by project), :mod:`.quotas` (per-project limits),
:mod:`.embedded` (a private Redis for ``aura up``) and :mod:`.rq` (job function,
workers, supervisor, and the watchdog that kills stuck runs).
"""

from __future__ import annotations

from engine.runtimes._redis import NoRedisConfigured, redis_configured, redis_connection
from engine.runtimes.queue import (
    ExecutionRow,
    Runtime,
    WaitTimeout,
    cancel,
    dispatch,
    enqueue,
    wait_for,
)
from engine.runtimes.recovery import (
    crash_execution,
    maintenance,
    reap_crashed,
    requeue_orphans,
)

__all__ = [
    "ExecutionRow",
    "NoRedisConfigured",
    "Runtime",
    "WaitTimeout",
    "cancel",
    "crash_execution",
    "dispatch",
    "enqueue",
    "maintenance",
    "reap_crashed",
    "redis_configured",
    "redis_connection",
    "requeue_orphans",
    "wait_for",
]
