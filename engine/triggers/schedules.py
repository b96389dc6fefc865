"""Schedule triggers: fire each slot of each active workflow's schedules exactly once,
with one leader among any number of ``aura scheduler`` processes.

**What runs.** Every tick (``AURA_SCHEDULER_TICK_S``, 1 s) the leader reads the ids and
*published* version ids of the active workflows (one small query; a version id is
immutable, so it doubles as the cache key: a definition is loaded and parsed only when a
workflow's published version changes). Activating a workflow makes its Schedule Trigger
nodes fire from the next slot on; deactivating stops them within a tick. No
registration exists, so nothing can go stale.

**When.** Slots come from the trigger node's ``fire_times`` hook (its spec declares it,
:mod:`engine.sdk.hooks`; the Schedule Trigger's: cron or intervals, in the node's or the
workflow's IANA timezone, DST-aware). The loop sleeps until the earliest next slot (at
most a tick), so slots fire on time. Each slot is started through
:func:`engine.services.executions.start` with ``mode="schedule"``, as a trigger of the
workflow's project, on the workers, the published version, and the item
``{"timestamp": <slot, ISO, schedule timezone>}``.

**Exactly once.** Leadership is a Redis lock with renewal and fencing tokens
(:mod:`engine.triggers._leader`); each slot is claimed by one Lua script that checks the
lock and the fence and ``SET NX``-es a key per (workflow, node, slot); the execution id
is derived from the same triple, so the database refuses a duplicate too.

**Late and missed slots.** The last fired slot of each schedule is kept in Redis. A
slot at most ``grace`` seconds late (``AURA_SCHEDULER_GRACE_S``; default twice the lock
TTL plus a tick, which covers a leader failover) still fires. Older slots were *missed*
(every scheduler was down): policy ``skip`` (default, like n8n) drops them;
``fire_once`` fires the most recent missed slot once, then continues. The policy is set
instance-wide by ``AURA_SCHEDULER_MISSED`` or at run time, for all workflows or one,
with :func:`set_missed_policy`. A schedule seen for the first time (new activation,
changed rule) starts at the next slot.

The leader also wakes due durable waits (:func:`engine.runtimes.resume.resume_due`),
expires approvals past their deadline (:func:`engine.services.approvals.expire_due`: an
agent run waiting for one stops, an Approval node leaves by ``timeout``) and applies
the retention limits every ``AURA_RETENTION_INTERVAL_S``
(:class:`engine.observability.retention.RetentionTask`, in a background thread).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlmodel import col, select

from engine.config import SchedulerSettings
from engine.errors import AuraError, ConflictError
from engine.observability import metrics
from engine.observability.retention import RetentionTask
from engine.sdk.items import Item
from engine.store.models import WorkflowRecord, WorkflowVersion
from engine.store.types import canonical_json, utcnow
from engine.triggers._leader import FIRED, LeaderLock

__all__ = [
    "LAST_KEY",
    "LOCK_KEY",
    "MISSED_SETTING",
    "Schedule",
    "Scheduler",
    "SchedulerSettings",
    "TickReport",
    "execution_id_for",
    "latest_slot",
    "missed_policies",
    "plan_slots",
    "set_missed_policy",
]

log = logging.getLogger(__name__)
Policy = Literal["skip", "fire_once"]
FireTimes = Callable[..., list[datetime]]
"""A schedule trigger's ``fire_times`` hook (:mod:`engine.sdk.hooks`)."""
LOCK_KEY = "aura:scheduler:leader"
LAST_KEY = "aura:scheduler:last"
SLOT_PREFIX = "aura:scheduler:slot"
MISSED_SETTING = "scheduler.missed"
_ID_NAMESPACE = uuid.UUID("5b0f3d4e-7c1a-4d55-9a57-a0a5c4e1d001")


# -- pure slot arithmetic ----------------------------------------------------------------
def latest_slot(
    params: Any,
    after: datetime,
    before: datetime,
    *,
    fire_times: FireTimes,
    default_timezone: str = "UTC",
) -> datetime | None:
    """The last slot in ``(after, before]``, or None. Looks back through growing
    windows, so a long outage costs a few computations, not one per missed slot."""
    for window in (60, 3600, 86400, 31 * 86400, 366 * 86400, None):
        start = after if window is None else max(after, before - timedelta(seconds=window))
        best, cur = None, start
        for _ in range(1000):
            ts = fire_times(params, cur, 256, default_timezone=default_timezone)
            inside = [t for t in ts if t <= before]
            if inside:
                best, cur = inside[-1], inside[-1]
            if len(inside) < 256:
                break
        if best is not None or start == after:
            return best
    return None


def plan_slots(
    params: Any,
    cursor: datetime,
    now: datetime,
    *,
    grace_s: float,
    policy: Policy,
    fire_times: FireTimes,
    default_timezone: str = "UTC",
    limit: int = 10_000,
) -> tuple[list[datetime], datetime]:
    """The slots to fire now for a schedule whose slots up to ``cursor`` are handled,
    and the new cursor. Slots in ``(cursor, now - grace]`` are missed: none fire under
    ``skip``, the most recent one under ``fire_once``; slots in ``(now - grace, now]``
    all fire (late ones too)."""
    out: list[datetime] = []
    cutoff = now - timedelta(seconds=grace_s)
    if cursor < cutoff:
        if policy == "fire_once":
            missed = latest_slot(
                params, cursor, cutoff, fire_times=fire_times, default_timezone=default_timezone
            )
            if missed is not None:
                out.append(missed)
        cursor = cutoff
    batch = 8
    while len(out) < limit:
        ts = fire_times(params, cursor, batch, default_timezone=default_timezone)
        due = [t for t in ts if t <= now]
        out.extend(due)
        if len(due) < batch:
            return out, now
        cursor, batch = due[-1], min(batch * 4, 1024)
    return out, out[-1]


def execution_id_for(workflow_id: str, node: str, slot: datetime) -> str:
    """The execution id of one slot: the same (workflow, node, instant) gives the same
    id, so a slot can be recorded only once."""
    key = f"{workflow_id}\x00{node}\x00{int(slot.timestamp() * 1000)}"
    return uuid.uuid5(_ID_NAMESPACE, key).hex


# -- missed-slot policy ------------------------------------------------------------------
def missed_policies(store: Any) -> dict[str, Any]:
    """``{"default": policy | None, "workflows": {id: policy}}`` set at run time."""
    value = store.settings.get(MISSED_SETTING) or {}
    return {"default": value.get("default"), "workflows": dict(value.get("workflows") or {})}


def set_missed_policy(
    policy: Policy | None, workflow_id: str | None = None, *, store: Any = None
) -> None:
    """Sets the missed-slot policy for every workflow (``workflow_id=None``) or one;
    ``None`` removes it (back to ``AURA_SCHEDULER_MISSED``). Applies when the scheduler
    next loads the workflow's schedules (a new version, or a new leader)."""
    from engine.store.current import get_store

    if policy not in (None, "skip", "fire_once"):
        raise ValueError(f"unknown missed-slot policy {policy!r}; use 'skip' or 'fire_once'")
    store = store or get_store()
    current = missed_policies(store)
    if workflow_id is None:
        current["default"] = policy
    elif policy is None:
        current["workflows"].pop(workflow_id, None)
    else:
        current["workflows"][workflow_id] = policy
    store.settings.set(MISSED_SETTING, current)


# -- the scheduler -----------------------------------------------------------------------
@dataclass
class Schedule:
    """One Schedule Trigger node of one active workflow, with its progress."""

    workflow_id: str
    node: str
    params: Any
    timezone: str
    signature: str
    policy: Policy
    cursor: datetime
    fire_times: FireTimes
    next_slot: datetime | None = None

    @property
    def field(self) -> str:
        return f"{self.workflow_id}:{self.node}"

    def advance(self) -> None:
        nxt = self.fire_times(self.params, self.cursor, 1, default_timezone=self.timezone)
        self.next_slot = nxt[0] if nxt else None


@dataclass
class TickReport:
    """What one :meth:`Scheduler.tick` did."""

    leader: bool = False
    fired: list[tuple[str, str, str]] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)


class Scheduler:
    """The scheduler loop of one process (leader or standby)."""

    def __init__(
        self,
        *,
        store: Any = None,
        redis: Any = None,
        config: SchedulerSettings | None = None,
        identity: str | None = None,
        start: Callable[[Any], Any] | None = None,
    ) -> None:
        from engine.runtimes import redis_connection
        from engine.store.current import get_store

        self.store = store or get_store()
        self.r = redis or redis_connection()
        self.config = config or SchedulerSettings()
        self.lock = LeaderLock(self.r, LOCK_KEY, self.config.lock_ttl_s, identity)
        self._start = start
        self.retention = RetentionTask(self.store)
        self._schedules: dict[str, Schedule] = {}
        self._versions: dict[str, str] = {}
        self._refreshed_at = 0.0

    @property
    def schedules(self) -> list[Schedule]:
        return list(self._schedules.values())

    def run(self, stop: threading.Event) -> None:
        """Ticks until ``stop`` is set, then gives leadership up. Registered in the
        service registry meanwhile (kind ``scheduler``, ``role`` leader or standby)."""
        from engine.registry import register

        reg = register(
            "scheduler",
            {"identity": self.lock.identity},
            active=lambda: int(self.lock.held),
            probe=lambda: {"role": "leader" if self.lock.held else "standby"},
        )
        try:
            while not stop.is_set():
                try:
                    self.tick()
                except Exception as exc:  # Redis or the database away: retry next tick
                    log.warning("scheduler tick failed: %s", exc)
                stop.wait(self._pause())
        finally:
            self.lock.release()
            self.retention.join()
            reg.stop()

    def tick(self, now: datetime | None = None) -> TickReport:
        """One pass: lead (or try to), refresh workflows, fire due slots, wake waits."""
        report = TickReport()
        if not self.lock.held:
            self._schedules.clear()
            self._versions.clear()
            self.retention.forget()
            if not self.lock.acquire():
                return report
            self._refreshed_at = 0.0
        report.leader = True
        now = now or utcnow()
        if time.monotonic() - self._refreshed_at >= self.config.refresh_s:
            self.refresh(now)
        for sch in list(self._schedules.values()):
            if sch.next_slot is None or sch.next_slot > now:
                continue
            slots, sch.cursor = plan_slots(
                sch.params,
                sch.cursor,
                now,
                grace_s=self.config.grace,
                policy=sch.policy,
                fire_times=sch.fire_times,
                default_timezone=sch.timezone,
            )
            for slot in slots:
                res = self._fire(sch, slot)
                if res < 0:
                    report.leader = False
                    return report
                if res == FIRED:
                    report.fired.append((sch.workflow_id, sch.node, slot.isoformat()))
            sch.advance()
        from engine.runtimes.resume import resume_due

        report.resumed = resume_due(self.store, now)
        report.expired = self._expire_approvals(now)
        self.retention.maybe_start(now)
        return report

    def _expire_approvals(self, now: datetime) -> list[str]:
        """Approvals past their deadline become ``expired`` and their runs are woken:
        an agent run stops saying nobody decided in time, an Approval node leaves by
        its timeout output."""
        from engine.services.approvals import expire_due

        try:
            return expire_due(now)
        except Exception as exc:  # the database away: next tick
            log.warning("expiring approvals failed: %s", exc)
            return []

    def refresh(self, now: datetime | None = None) -> None:
        """Re-reads the active workflows; loads the definitions of new versions only."""
        now = now or utcnow()
        self._refreshed_at = time.monotonic()
        W = WorkflowRecord
        with self.store.db.read() as s:
            rows = s.exec(
                select(W.id, W.published_version_id).where(
                    col(W.active).is_(True),
                    col(W.archived_at).is_(None),
                    col(W.published_version_id).is_not(None),
                )
            ).all()
        active = {wid: vid for wid, vid in rows if vid}
        for wid in set(self._versions) - set(active):
            self._versions.pop(wid)
            self._replace(wid, [], now)
        changed = {wid: vid for wid, vid in active.items() if self._versions.get(wid) != vid}
        if not changed:
            return
        with self.store.db.read() as s:
            defs = dict(
                s.exec(
                    select(WorkflowVersion.id, WorkflowVersion.definition).where(
                        col(WorkflowVersion.id).in_(list(changed.values()))
                    )
                ).all()
            )
        policies = missed_policies(self.store)
        for wid, vid in changed.items():
            self._versions[wid] = vid
            found = _schedule_nodes(wid, defs.get(vid))
            self._replace(
                wid,
                [(n, p, tz, _policy(policies, wid, self.config), f) for n, p, tz, f in found],
                now,
            )

    # -- helpers ---------------------------------------------------------------------
    def _replace(
        self, wid: str, found: list[tuple[str, Any, str, Policy, FireTimes]], now: datetime
    ) -> None:
        old = {k: v for k, v in self._schedules.items() if v.workflow_id == wid}
        keep: set[str] = set()
        for node, params, tz, policy, fire_times in found:
            sig = canonical_json([params.model_dump(mode="json"), tz])[:4000]
            key = f"{wid}:{node}"
            keep.add(key)
            prev = old.get(key)
            if prev is not None and prev.signature == sig:
                prev.policy = policy
                continue
            resume_at = self._resume_point(key, sig, now)
            sch = Schedule(wid, node, params, tz, sig, policy, resume_at, fire_times)
            sch.advance()
            self._schedules[key] = sch
        gone = [k for k in old if k not in keep]
        for k in gone:
            self._schedules.pop(k, None)
        if gone:
            self.r.hdel(LAST_KEY, *gone)

    def _resume_point(self, key: str, sig: str, now: datetime) -> datetime:
        raw = self.r.hget(LAST_KEY, key)
        if raw:
            text = raw.decode() if isinstance(raw, bytes) else str(raw)
            when, _, last_sig = text.partition(" ")
            if last_sig == sig:
                try:
                    return min(datetime.fromisoformat(when), now)
                except ValueError:
                    pass
        return now

    def _fire(self, sch: Schedule, slot: datetime) -> int:
        ms = int(slot.timestamp() * 1000)
        ttl_ms = int((2 * self.config.grace + 60) * 1000)
        res = self.lock.fire(
            f"{SLOT_PREFIX}:{sch.field}:{ms}",
            ttl_ms,
            LAST_KEY,
            sch.field,
            f"{slot.isoformat()} {sch.signature}",
        )
        if res != FIRED:
            return res
        metrics.scheduler_fired((utcnow() - slot).total_seconds())
        from engine.services.executions import RunSpec, start
        from engine.services.principals import RunAs

        spec = RunSpec(
            principal=RunAs.trigger(),  # a schedule runs as its workflow's project
            workflow_id=sch.workflow_id,
            version="published",
            mode="schedule",
            start_node=sch.node,
            input_items=[Item(json={"timestamp": slot.isoformat()})],
            execution_id=execution_id_for(sch.workflow_id, sch.node, slot),
            trigger={"slot": slot.isoformat()},
            runtime="rq",
        )
        try:
            (self._start or start)(spec)
        except ConflictError as exc:
            log.info("schedule %s at %s not run: %s", sch.field, slot, exc.message)
        except AuraError as exc:
            log.warning("schedule %s at %s could not start: %s", sch.field, slot, exc.message)
        except Exception:
            log.exception("schedule %s at %s could not start", sch.field, slot)
        return res

    def _pause(self) -> float:
        tick = self.config.tick_s
        if not self.lock.held:
            return tick
        soonest = min((s.next_slot for s in self._schedules.values() if s.next_slot), default=None)
        if soonest is None:
            return tick
        return max(0.005, min(tick, (soonest - utcnow()).total_seconds() + 0.002))


def _policy(policies: dict[str, Any], wid: str, config: SchedulerSettings) -> Policy:
    value = policies["workflows"].get(wid) or policies["default"] or config.missed
    return "fire_once" if value == "fire_once" else "skip"


def _schedule_nodes(
    wid: str, definition: dict[str, Any] | None
) -> list[tuple[str, Any, str, FireTimes]]:
    """(node name, validated params, default timezone, its ``fire_times`` hook) of the
    enabled schedule trigger nodes of a definition; an invalid node is logged and left out."""
    from engine.graph import load_workflow
    from engine.sdk import get_catalog

    if not definition:
        return []
    try:
        wf = load_workflow(dict(definition))
    except AuraError as exc:
        log.warning("workflow %s: cannot read its published version: %s", wid, exc.message)
        return []
    cat, out = get_catalog(), []
    for n in wf.nodes:
        try:
            spec = cat.get(n.type, n.type_version)
        except AuraError:
            continue
        if spec.trigger != "schedule" or n.disabled:
            continue
        try:
            params = spec.params.model_validate(n.parameters)
            out.append((n.name, params, wf.settings.timezone, cat.hook(spec, "fire_times")))
        except Exception as exc:
            log.warning("workflow %s, node '%s': schedule ignored: %s", wid, n.name, exc)
    return out
