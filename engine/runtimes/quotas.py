"""Per-project concurrency quotas: how many executions of one project run at once.

A project may run at most its quota of executions at the same time across all workers:
``AURA_QUEUE_PROJECT_CONCURRENCY`` (default 8; 0 = no limit) unless an admin set an
override for it (the run-time setting ``queue.project_quotas``, a JSON object project id
-> quota, see :func:`set_quota`). Together with the fair order of the queue
(:mod:`engine.runtimes.fair`) it keeps one project from taking every worker.

It works like the per-workflow limits (:mod:`engine.runtimes.concurrency`): the database
is the truth ("running executions of the project" is a count of rows); a worker holds
the Redis lock ``aura:lock:project:<project>`` from the count until its claim is
committed; an execution over quota is parked, still ``queued``, in the sorted set
``aura:held:<project>`` (score: creation time) and sent back to the queue, in its fair
place, when an execution of the project ends (:func:`release`), or by the periodic
maintenance (:func:`promote_stuck`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import col, func, select

from engine.errors import NotFoundError, ValidationError
from engine.store.enums import ExecutionStatus
from engine.store.models import Execution

if TYPE_CHECKING:
    import redis
    from redis.lock import Lock

__all__ = [
    "SETTING_KEY",
    "ProjectLoad",
    "Seat",
    "admit",
    "after",
    "defer",
    "held_key",
    "is_held",
    "load",
    "lock",
    "promote_stuck",
    "quota_of",
    "release",
    "running",
    "set_quota",
]

log = logging.getLogger(__name__)
SETTING_KEY = "queue.project_quotas"
LOCK_TIMEOUT_S = 60
MAX_QUOTA = 10_000


@dataclass
class ProjectLoad:
    """One project's quota and what it has running and waiting."""

    project_id: str
    name: str
    quota: int | None
    """Executions it may run at once (None: no limit)."""
    overridden: bool
    running: int
    queued: int
    """Executions waiting (in the queue or held back by the quota)."""
    held: int
    """Of those, held back because the project is at its quota."""


@dataclass
class Seat:
    """The outcome of :func:`admit` for one execution of a project with a quota."""

    project_id: str
    held: bool
    """Held back (parked in ``aura:held:<project>``): do not run it now."""
    lock: Lock | None = None
    """Admitted: the project's lock, to release once the claim is committed."""

    def free(self) -> None:
        """Releases the lock without claiming (e.g. the workflow's limit deferred it)."""
        lock, self.lock = self.lock, None
        if lock is not None:
            try:
                lock.release()
            except Exception as exc:  # expired: another worker may hold it now
                log.warning("project lock already released: %s", exc)


def admit(store: Any, r: redis.Redis, row: Execution) -> Seat | None:
    """Count-then-claim for the execution's project: None when it has no quota; else a
    :class:`Seat`, ``held`` when the project already runs its quota (the execution is
    then parked), otherwise with the project's lock held until the claim commits."""
    project_id = row.project_id
    quota = quota_of(store, project_id) if project_id else None
    if project_id is None or quota is None:
        return None
    seat = Seat(project_id, held=False, lock=lock(r, project_id))
    assert seat.lock is not None
    seat.lock.acquire()
    if running(store, project_id) < quota:
        return seat
    defer(r, project_id, row.id, row.created_at.timestamp())
    seat.free()
    log.info("execution %s held back: project %s runs its quota of %d", row.id, project_id, quota)
    return Seat(project_id, held=True)


def after(store: Any, r: redis.Redis | None, seat: Seat) -> None:
    """After an admitted execution ended: lets the project's oldest held one go."""
    if r is None:
        return
    from engine.runtimes.queue import enqueue_existing

    try:
        release(store, r, seat.project_id, lambda eid: enqueue_existing(eid, at_front=False))
    except Exception as exc:
        log.warning("could not release a held execution of project %s: %s", seat.project_id, exc)


def held_key(project_id: str) -> str:
    return f"aura:held:{project_id}"


def default_quota() -> int | None:
    from engine.config import settings

    n = settings().queue.project_concurrency
    return n or None


def overrides(store: Any) -> dict[str, int]:
    value = store.settings.get(SETTING_KEY) or {}
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}


def quota_of(store: Any, project_id: str | None) -> int | None:
    """The project's quota (its override, else the default); None: no limit."""
    if not project_id:
        return None
    n = overrides(store).get(project_id)
    if n is None:
        return default_quota()
    return n or None


def set_quota(store: Any, project_id: str, quota: int | None) -> None:
    """Overrides one project's quota (0: no limit); ``None`` goes back to the default.

    Raises:
        NotFoundError: no such project.
        ValidationError: a negative or absurd quota.
    """
    store.projects.get(project_id)  # raises NotFoundError
    if quota is not None and (isinstance(quota, bool) or not 0 <= quota <= MAX_QUOTA):
        raise ValidationError(
            f"A project quota is a whole number from 0 (no limit) to {MAX_QUOTA}; got {quota!r}.",
            details={"quota": quota},
        )
    current = overrides(store)
    if quota is None:
        current.pop(project_id, None)
    else:
        current[project_id] = quota
    store.settings.set(SETTING_KEY, current)


def running(store: Any, project_id: str) -> int:
    """How many executions of the project are running now."""
    with store.db.read() as s:
        return int(
            s.exec(
                select(func.count())
                .select_from(Execution)
                .where(
                    col(Execution.project_id) == project_id,
                    col(Execution.status) == ExecutionStatus.RUNNING.value,
                )
            ).one()
        )


def lock(r: redis.Redis, project_id: str) -> Lock:
    """The lock serializing count-then-claim for one project (not yet acquired)."""
    found: Lock = r.lock(
        f"aura:lock:project:{project_id}", timeout=LOCK_TIMEOUT_S, blocking_timeout=LOCK_TIMEOUT_S
    )
    return found


def defer(r: redis.Redis, project_id: str, execution_id: str, created_ts: float) -> None:
    """Holds a queued execution back until the project is under its quota (call with
    the project's lock held)."""
    r.zadd(held_key(project_id), {execution_id: created_ts}, nx=True)


def is_held(r: redis.Redis, project_id: str | None, execution_id: str) -> bool:
    return bool(project_id) and r.zscore(held_key(str(project_id)), execution_id) is not None


def release(
    store: Any, r: redis.Redis, project_id: str | None, enqueue: Callable[[str], None]
) -> str | None:
    """After an execution of the project ended: sends its oldest held execution that is
    still queued back to the queue (in its fair place). Returns its id, if any."""
    if not project_id or not r.exists(held_key(project_id)):
        return None
    quota = quota_of(store, project_id)
    with lock(r, project_id):
        if quota is not None and running(store, project_id) >= quota:
            return None
        while True:
            popped: Any = r.zpopmin(held_key(project_id))
            if not popped:
                return None
            raw = popped[0][0]
            eid = raw.decode() if isinstance(raw, bytes) else str(raw)
            try:
                row = store.executions.get(eid)
            except NotFoundError:
                continue
            if row.status != ExecutionStatus.QUEUED.value:
                continue
            enqueue(eid)
            return eid


def promote_stuck(store: Any, r: redis.Redis, enqueue: Callable[[str], None]) -> int:
    """Releases one held execution of every project that has held ones but none
    running (a lost release). One SCAN, and a count per project with held executions."""
    n = 0
    for raw in r.scan_iter(match=held_key("*"), count=200):
        project_id = (raw.decode() if isinstance(raw, bytes) else str(raw)).split(":", 2)[-1]
        if running(store, project_id) == 0 and release(store, r, project_id, enqueue):
            n += 1
    return n


def load(store: Any, r: redis.Redis | None) -> list[ProjectLoad]:
    """Every project's quota, running and waiting executions (for operators)."""
    with store.db.read() as s:
        rows = s.exec(
            select(Execution.project_id, Execution.status, func.count())
            .where(
                col(Execution.status).in_(
                    [ExecutionStatus.RUNNING.value, ExecutionStatus.QUEUED.value]
                )
            )
            .group_by(col(Execution.project_id), col(Execution.status))
        ).all()
    counts: dict[tuple[str | None, str], int] = {(p, st): int(n) for p, st, n in rows}
    custom = overrides(store)
    out = []
    for project, _ in store.projects.list():
        pid = project.id
        held = 0
        if r is not None:
            try:
                held = int(r.zcard(held_key(pid)))  # type: ignore[arg-type]
            except Exception:  # Redis away: the database counts still hold
                held = 0
        quota = quota_of(store, pid)
        out.append(
            ProjectLoad(
                project_id=pid,
                name=project.name,
                quota=quota,
                overridden=pid in custom,
                running=counts.get((pid, ExecutionStatus.RUNNING.value), 0),
                queued=counts.get((pid, ExecutionStatus.QUEUED.value), 0),
                held=held,
            )
        )
    return out
