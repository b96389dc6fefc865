"""Retention that runs: the limits of ``AURA_EXEC_RETENTION_DAYS``/``_COUNT`` and
``AURA_RETENTION_AUDIT_DAYS`` applied to the store, by the scheduler on a schedule
(:class:`RetentionTask`, leader only) or by hand (``aura execution prune``).

One pass (:func:`apply_retention`) deletes finished executions beyond the limits (in
short batches, see :mod:`engine.store.retention`), audit events older than the audit
limit, then gives SQLite's free pages back to the file system when that is worthwhile.
What it did is kept in the ``Setting`` table under :data:`LAST_RUN_SETTING`, so the
settings page shows what is enforced and when it last ran (:func:`retention_status`),
and a newly elected scheduler leader knows when the next pass is due.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from engine.config import Settings, settings
from engine.store.types import utcnow

__all__ = [
    "LAST_RUN_SETTING",
    "RetentionPolicy",
    "RetentionReport",
    "RetentionTask",
    "apply_retention",
    "database_bytes",
    "interval_text",
    "last_run",
    "preview",
    "retention_status",
]

log = logging.getLogger(__name__)
LAST_RUN_SETTING = "retention.last_run"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RetentionPolicy:
    """The limits in force (``None``: that limit is off)."""

    max_age_days: int | None
    max_count: int | None
    audit_days: int | None
    interval_s: float
    scheduled: bool
    vacuum_min_free_ratio: float = 0.1

    @classmethod
    def from_settings(cls, s: Settings | None = None) -> RetentionPolicy:
        s = s or settings()
        return cls(
            max_age_days=s.execution.retention_days or None,
            max_count=s.execution.retention_count or None,
            audit_days=s.retention.audit_days or None,
            interval_s=s.retention.interval_s,
            scheduled=s.retention.enabled,
            vacuum_min_free_ratio=s.retention.vacuum_min_free_ratio,
        )

    def describe(self) -> str:
        """E.g. "30 days, at most 10,000 executions"."""
        parts = []
        if self.max_age_days and self.max_age_days > 0:
            parts.append(f"{self.max_age_days} day{'s' if self.max_age_days != 1 else ''}")
        if self.max_count and self.max_count > 0:
            parts.append(f"at most {self.max_count:,} executions")
        return ", ".join(parts) or "kept forever"


@dataclass
class RetentionReport:
    """What one pass did."""

    at: str
    trigger: str
    executions_deleted: int = 0
    audit_deleted: int = 0
    bytes_before: int | None = None
    bytes_after: int | None = None
    reclaimed: bool = False
    duration_s: float = 0.0
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def database_bytes(store: Any) -> int | None:
    """Size of a SQLite database on disk (file + WAL), or None for other databases."""
    if not store.db.is_sqlite:
        return None
    path = store.engine.url.database
    if not path or path == ":memory:":
        return None
    return sum(p.stat().st_size for p in (Path(path), Path(f"{path}-wal")) if p.exists())


def apply_retention(
    store: Any = None,
    *,
    policy: RetentionPolicy | None = None,
    trigger: str = "manual",
    now: datetime | None = None,
    progress: Progress | None = None,
    record: bool = True,
) -> RetentionReport:
    """Applies the retention limits once and records the report (``record``).

    Args:
        store: the store (default: this process's).
        policy: the limits (default: from the settings).
        trigger: who asked: ``"scheduler"`` or ``"manual"`` (shown on the settings page).
        now: the current time (tests).
        progress: ``progress(done, total)`` while executions are deleted.
        record: keep the report as the last run.
    """
    from engine.store import retention as store_retention
    from engine.store.current import get_store

    store = store or get_store()
    policy = policy or RetentionPolicy.from_settings()
    now = now or utcnow()
    started = time.monotonic()
    report = RetentionReport(
        at=now.isoformat(), trigger=trigger, bytes_before=database_bytes(store)
    )
    try:
        age = timedelta(days=policy.max_age_days) if policy.max_age_days else None
        report.executions_deleted = store_retention.prune_executions(
            store.db, age, policy.max_count, now=now, reclaim=False, progress=progress
        )
        if policy.audit_days:
            report.audit_deleted = store.audit.prune(now - timedelta(days=policy.audit_days))
    except Exception as exc:  # recorded and logged; the next pass tries again
        report.error = f"{type(exc).__name__}: {exc}"
        log.warning("retention pass failed: %s", report.error)
    if report.executions_deleted or report.audit_deleted:
        try:
            report.reclaimed = store_retention.reclaim_space(store.db, policy.vacuum_min_free_ratio)
        except Exception as exc:  # e.g. SQLite busy: the free pages are reused meanwhile
            report.error = report.error or f"the space was not given back yet ({exc})"
            log.warning("retention: could not give the space back: %s", exc)
    report.bytes_after = database_bytes(store)
    report.duration_s = round(time.monotonic() - started, 3)
    if record:
        store.settings.set(LAST_RUN_SETTING, report.to_json())
    _count(report)
    return report


def _count(report: RetentionReport) -> None:
    from engine.observability import metrics

    metrics.retention_pass(report.executions_deleted, report.audit_deleted, ok=report.error is None)


def preview(
    store: Any = None, *, policy: RetentionPolicy | None = None, now: datetime | None = None
) -> dict[str, int]:
    """What a pass would delete now, deleting nothing: ``{"executions": n,
    "audit_events": n}``."""
    from engine.store import retention as store_retention
    from engine.store.current import get_store

    store = store or get_store()
    policy = policy or RetentionPolicy.from_settings()
    now = now or utcnow()
    age = timedelta(days=policy.max_age_days) if policy.max_age_days else None
    audit = 0
    if policy.audit_days:
        audit = store.audit.count(until=now - timedelta(days=policy.audit_days))
    return {
        "executions": store_retention.count_prunable(store.db, age, policy.max_count, now=now),
        "audit_events": audit,
    }


def last_run(store: Any = None) -> dict[str, Any] | None:
    """The report of the last pass (scheduled or manual), or None."""
    from engine.store.current import get_store

    value = (store or get_store()).settings.get(LAST_RUN_SETTING)
    return dict(value) if isinstance(value, dict) else None


def retention_status(store: Any = None) -> dict[str, Any]:
    """What is enforced and when it last ran (the settings page and the API)."""
    policy = RetentionPolicy.from_settings()
    last = last_run(store)
    next_due = None
    if policy.scheduled:
        if last is None:
            next_due = "at the scheduler's next start"
        else:
            at = datetime.fromisoformat(last["at"]) + timedelta(seconds=policy.interval_s)
            next_due = at.isoformat()
    return {
        "executions": policy.describe(),
        "max_age_days": policy.max_age_days,
        "max_count": policy.max_count,
        "audit_days": policy.audit_days,
        "scheduled": policy.scheduled,
        "interval_s": policy.interval_s,
        "last_run": last,
        "next_run": next_due,
    }


def interval_text(seconds: float) -> str:
    """E.g. "1 h", "15 min", "90 s"."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"


class RetentionTask:
    """The scheduler leader's retention pass: due every ``AURA_RETENTION_INTERVAL_S``
    after the last recorded pass, run in a background thread so that schedule slots keep
    firing on time while old data is deleted."""

    def __init__(self, store: Any, *, policy: RetentionPolicy | None = None) -> None:
        self.store = store
        self.policy = policy or RetentionPolicy.from_settings()
        self._due: datetime | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def forget(self) -> None:
        """Leadership lost: the next leader reads when the next pass is due."""
        self._due = None

    def maybe_start(self, now: datetime | None = None) -> bool:
        """Starts a pass when one is due and none is running; True if it started."""
        if not self.policy.scheduled or self.running:
            return False
        now = now or utcnow()
        if self._due is None:
            last = last_run(self.store)
            self._due = (
                now
                if last is None
                else datetime.fromisoformat(last["at"]) + timedelta(seconds=self.policy.interval_s)
            )
        if now < self._due:
            return False
        self._due = now + timedelta(seconds=self.policy.interval_s)
        self._thread = threading.Thread(target=self._run, name="aura-retention", daemon=True)
        self._thread.start()
        return True

    def _run(self) -> None:
        report = apply_retention(self.store, policy=self.policy, trigger="scheduler")
        if report.executions_deleted or report.audit_deleted:
            log.info(
                "retention: %d execution(s) and %d audit event(s) deleted",
                report.executions_deleted,
                report.audit_deleted,
            )

    def join(self, timeout: float = 5.0) -> None:
        """Waits for a running pass (shutdown)."""
        if self._thread is not None:
            self._thread.join(timeout)
