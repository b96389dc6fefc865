"""Runtimes decide where the executor runs: inline (this process) or rq (workers).

The public API other parts of AURA call (webhooks, schedules, the CLI, the studio)::

    from engine.runtimes import submit, wait_for, cancel, retry

See :mod:`engine.runtimes.queue` (submit/wait/cancel/retry), :mod:`.recovery` (crashed
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
    enqueue,
    retry,
    submit,
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
    "enqueue",
    "maintenance",
    "reap_crashed",
    "redis_configured",
    "redis_connection",
    "requeue_orphans",
    "retry",
    "submit",
    "wait_for",
]
