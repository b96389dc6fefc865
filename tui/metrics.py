"""The dashboard's figures: executions and failures per minute, status counts, success
rate, durations. :func:`from_analytics` reads them from the server's analytics API
(computed by its database); :func:`activity` derives them from the execution list when
the server has no such API or the user may not read it.

Pure functions, so they are tested without a server.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tui.models import ExecutionSummary

__all__ = [
    "FAILED_STATUSES",
    "Activity",
    "activity",
    "format_duration",
    "from_analytics",
    "per_minute",
]

FAILED_STATUSES = frozenset({"failed", "crashed"})


def per_minute(times: Iterable[datetime], now: datetime, minutes: int = 60) -> list[float]:
    """How many of ``times`` fall in each of the last ``minutes`` minutes (oldest first)."""
    buckets = [0.0] * minutes
    start = now - timedelta(minutes=minutes)
    for t in times:
        if start <= t <= now:
            index = min(int((t - start).total_seconds() // 60), minutes - 1)
            buckets[index] += 1
    return buckets


@dataclass(frozen=True)
class Activity:
    """What happened over a window of time (default: the last hour)."""

    total: int
    per_minute: list[float]
    failures_per_minute: list[float]
    by_status: dict[str, int]
    median_ms: float | None
    truncated: bool
    source: str = "client"
    """``server`` (its analytics API) or ``client`` (counted here from the list)."""

    @property
    def failures(self) -> int:
        return sum(self.by_status.get(s, 0) for s in FAILED_STATUSES)

    @property
    def success_rate(self) -> float | None:
        """Succeeded over finished (None when nothing finished)."""
        done = sum(
            self.by_status.get(s, 0) for s in ("succeeded", "failed", "crashed", "cancelled")
        )
        return self.by_status.get("succeeded", 0) / done if done else None

    @property
    def last_minute(self) -> int:
        return int(self.per_minute[-1]) if self.per_minute else 0


def activity(
    rows: Sequence[ExecutionSummary], now: datetime, minutes: int = 60, truncated: bool = False
) -> Activity:
    """Counts and per-minute series over the executions created in the window."""
    start = now - timedelta(minutes=minutes)
    recent = [r for r in rows if r.created_at is not None and r.created_at >= start]
    created = [r.created_at for r in recent if r.created_at is not None]
    failed_at = [r.finished_at or r.created_at for r in recent if r.status in FAILED_STATUSES]
    durations = sorted(r.duration_ms for r in recent if r.duration_ms is not None)
    median = durations[len(durations) // 2] if durations else None
    return Activity(
        len(recent),
        per_minute(created, now, minutes),
        per_minute([t for t in failed_at if t is not None], now, minutes),
        dict(Counter(r.status for r in recent)),
        median,
        truncated,
    )


def from_analytics(data: Mapping[str, Any]) -> Activity:
    """The figures of ``GET /api/v1/analytics?bucket=minute`` (the server counted them)."""
    series = list(data.get("series") or [])
    totals = data.get("totals") or {}
    return Activity(
        int(totals.get("executions") or 0),
        [float(b.get("total") or 0) for b in series],
        [
            float(sum(int((b.get("by_status") or {}).get(s, 0)) for s in FAILED_STATUSES))
            for b in series
        ],
        {str(k): int(v) for k, v in (totals.get("by_status") or {}).items()},
        totals.get("p50_ms"),
        False,
        source="server",
    )


def format_duration(ms: float | None) -> str:
    """``12 ms``, ``3.4 s``, ``2 m 05 s``, ``1 h 02 m``; ``-`` for None."""
    if ms is None:
        return "-"
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} m {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} m"
    return f"{hours // 24} d {hours % 24:02d} h"
