"""Per-workflow concurrency limits (``settings.concurrency``, ``concurrency_overflow``).

The database is the truth: "how many executions of this workflow are running" is a
count of rows. What must be atomic is *count, then claim*: a worker holds the Redis lock
``aura:lock:wf:<workflow>`` from the count until its claim (``queued -> running``) is
committed, so two workers can never both take the last slot.

Overflow ``drop``: :func:`check_drop` refuses a submission when running + queued
executions already fill the limit (and a worker that still finds no slot cancels the
execution). Overflow ``queue``: a worker that finds no slot parks the execution id in the
sorted set ``aura:deferred:<workflow>`` (score: creation time, so first in, first out)
and leaves it ``queued``; whenever an execution of the workflow ends,
:func:`release_slot` moves the oldest deferred one back to the RQ queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.errors import ConflictError, NotFoundError
from engine.runtimes._redis import deferred_key, lock_key

if TYPE_CHECKING:
    import redis
    from redis.lock import Lock

    from engine.graph import Workflow

__all__ = ["check_drop", "defer", "limit_of", "promote_stuck", "release_slot", "slot_lock"]

log = logging.getLogger(__name__)
LOCK_TIMEOUT_S = 60


def limit_of(wf: Workflow) -> int | None:
    """The workflow's concurrency limit, or None when unlimited."""
    return wf.settings.concurrency


def check_drop(store: Any, wf: Workflow, workflow_id: str | None) -> None:
    """Refuses a new execution of a workflow at its limit whose overflow is ``drop``.

    Raises:
        ConflictError: the limit is reached.
    """
    limit = limit_of(wf)
    if not workflow_id or limit is None or wf.settings.concurrency_overflow != "drop":
        return
    _, queued = store.executions.list(workflow_id=workflow_id, status="queued", limit=0)
    active = store.executions.running_for_workflow(workflow_id) + queued
    if active >= limit:
        raise ConflictError(
            f"Workflow '{wf.name}' already has {active} execution(s) running or queued, its "
            f"concurrency limit is {limit} and extra executions are dropped (Settings → "
            "Concurrency). Try again later, raise the limit, or set overflow to 'queue'.",
            details={"workflow_id": workflow_id, "limit": limit, "active": active})


def slot_lock(r: redis.Redis, workflow_id: str) -> Lock:
    """The lock serializing count-then-claim for one workflow (not yet acquired)."""
    lock: Lock = r.lock(lock_key(workflow_id), timeout=LOCK_TIMEOUT_S,
                        blocking_timeout=LOCK_TIMEOUT_S)
    return lock


def defer(r: redis.Redis, workflow_id: str, execution_id: str, created_ts: float) -> None:
    """Parks a queued execution until a slot frees (call with the slot lock held)."""
    r.zadd(deferred_key(workflow_id), {execution_id: created_ts}, nx=True)


def release_slot(store: Any, r: redis.Redis, workflow_id: str,
                 enqueue: Callable[[str], None]) -> str | None:
    """After an execution of ``workflow_id`` ended: sends the oldest deferred execution
    that is still queued back to the RQ queue. Returns its id, if any."""
    key = deferred_key(workflow_id)
    if not r.exists(key):
        return None
    with slot_lock(r, workflow_id):
        while True:
            popped: Any = r.zpopmin(key)
            if not popped:
                return None
            raw = popped[0][0]
            eid = raw.decode() if isinstance(raw, bytes) else str(raw)
            try:
                row = store.executions.get(eid)
            except NotFoundError:
                continue  # deleted meanwhile
            if row.status != "queued":
                continue
            enqueue(eid)
            return eid


def promote_stuck(store: Any, r: redis.Redis, enqueue: Callable[[str], None]) -> int:
    """Releases a slot for every workflow that has deferred executions but none running
    (a lost release, a raised limit). Cheap: one SCAN and a count per such workflow."""
    n = 0
    for raw in r.scan_iter(match=deferred_key("*"), count=200):
        key = raw.decode() if isinstance(raw, bytes) else str(raw)
        workflow_id = key.rsplit(":", 1)[-1]
        if store.executions.running_for_workflow(workflow_id) == 0 and \
                release_slot(store, r, workflow_id, enqueue):
            n += 1
    return n


def is_deferred(r: redis.Redis, workflow_id: str | None, execution_id: str) -> bool:
    """Whether the execution is parked in its workflow's deferred set."""
    if not workflow_id:
        return False
    return r.zscore(deferred_key(workflow_id), execution_id) is not None
