"""What the Analytics page shows, made from an analytics answer
(:func:`engine.services.analytics.get_analytics`): figure cards, chart bars with their
heights and labels, and table rows as display strings (plain data in, plain data out).

Bars carry percentages of the largest value in their chart, so the page draws them with
plain CSS heights and widths; every bar also carries the words a tooltip (and a test)
reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = [
    "PERIODS",
    "WORKFLOW_SORTS",
    "cards",
    "duration",
    "failure_bars",
    "peak_note",
    "percent",
    "period_bounds",
    "series_bars",
    "sort_workflows",
    "status_split",
    "usage_rows",
    "wait_rows",
    "workflow_rows",
]

PERIODS: dict[str, tuple[float, str, str]] = {
    "1h": (1, "minute", "Last hour"),
    "24h": (24, "hour", "Last 24 hours"),
    "7d": (24 * 7, "day", "Last 7 days"),
    "30d": (24 * 30, "day", "Last 30 days"),
}
"""Period key -> (hours back from now, series bucket, label)."""

WORKFLOW_SORTS = ("workflow", "executions", "failed", "failure_rate", "p50", "p95")
FAILED = ("failed", "crashed")


def period_bounds(key: str, now: datetime) -> tuple[datetime, datetime, str]:
    """(since, until, bucket) of the period ``key`` ending at ``now``."""
    from datetime import timedelta

    hours, bucket, _ = PERIODS.get(key, PERIODS["24h"])
    return now - timedelta(hours=hours), now, bucket


def duration(ms: float | None) -> str:
    """``850 ms``, ``1.2 s``, ``3.5 min``; an em dash when unknown."""
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{ms / 60_000:.1f} min"


def percent(rate: float | None) -> str:
    """A rate (0-1) as ``12.5 %``; an em dash when nothing finished."""
    return "—" if rate is None else f"{rate * 100:.1f} %"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _pair(a: float | None, b: float | None) -> str:
    """Two durations as ``p50 / p95``; a narrow card wraps at the slash, never inside
    a duration (no-break spaces there)."""
    return (
        f"{duration(a)} / {duration(b)}".replace(" ms", "\u00a0ms")
        .replace(" s", "\u00a0s")
        .replace(" min", "\u00a0min")
    )


def cards(data: dict[str, Any]) -> list[dict[str, str]]:
    """The figure cards across the top: label, value, a line under it, and an id."""
    t, wait, llm = data["totals"], data["queue_wait"], data["llm"]
    by = t["by_status"]
    finished = sum(by.get(s, 0) for s in ("succeeded", "failed", "crashed", "cancelled"))
    ok_rate = by.get("succeeded", 0) / finished if finished else None
    tokens = llm["tokens_in"] + llm["tokens_out"]
    return [
        {
            "id": "executions",
            "label": "Executions",
            "value": f"{t['executions']:,}",
            "note": _count(finished, "finished run"),
        },
        {
            "id": "success-rate",
            "label": "Success rate",
            "value": percent(ok_rate),
            "note": f"{by.get('succeeded', 0):,} succeeded",
        },
        {
            "id": "failure-rate",
            "label": "Failure rate",
            "value": percent(t["failure_rate"]),
            "note": f"{t['failed']:,} failed or crashed",
        },
        {
            "id": "duration",
            "label": "Duration p50 / p95",
            "value": _pair(t["p50_ms"], t["p95_ms"]),
            "note": "from start to end",
        },
        {
            "id": "queue-wait",
            "label": "Queue wait p50 / p95",
            "value": _pair(wait["p50_ms"], wait["p95_ms"]),
            "note": f"longest {duration(wait['max_ms'])}",
        },
        {
            "id": "llm",
            "label": "LLM tokens · cost",
            "value": f"{tokens:,} · ${llm['cost']:,.2f}" if llm["calls"] else "—",
            "note": _count(llm["calls"], "model call")
            if llm["calls"]
            else "no model calls recorded",
        },
    ]


def _bucket_label(t: str, bucket: str) -> str:
    at = datetime.fromisoformat(t)
    if bucket == "day":
        return at.strftime("%b %d")
    return at.strftime("%H:%M")


def series_bars(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One stacked bar per bucket: heights (percent of the busiest bucket) of succeeded,
    failed (and crashed) and other executions, an axis label on every few bars, and a
    tooltip line."""
    series, bucket = data["series"], data["period"]["bucket"]
    top = max((b["total"] for b in series), default=0) or 1
    every = max(1, len(series) // 8)
    bars = []
    for i, b in enumerate(series):
        by = b["by_status"]
        ok = by.get("succeeded", 0)
        bad = sum(by.get(s, 0) for s in FAILED)
        other = b["total"] - ok - bad
        label = _bucket_label(b["t"], bucket)
        bars.append(
            {
                "label": label if i % every == 0 else "",
                "ok_h": f"{ok / top * 100:.1f}%",
                "bad_h": f"{bad / top * 100:.1f}%",
                "other_h": f"{other / top * 100:.1f}%",
                "total": b["total"],
                "tip": f"{label} UTC: {_count(b['total'], 'execution')}, {ok} succeeded, "
                f"{bad} failed" + (f", {other} other" if other else ""),
            }
        )
    return bars


def peak_note(data: dict[str, Any]) -> str:
    """What the tallest bar of the chart stands for (the chart's scale)."""
    top = max((b["total"] for b in data["series"]), default=0)
    unit = {"minute": "a minute", "hour": "an hour", "day": "a day"}[data["period"]["bucket"]]
    return f"Tallest bar: {_count(top, 'execution')} in {unit}" if top else ""


def status_split(data: dict[str, Any]) -> list[dict[str, str]]:
    """Each status of the period with its count and share (widths of one stacked bar)."""
    by, total = data["totals"]["by_status"], data["totals"]["executions"]
    order = ["succeeded", "failed", "crashed", "cancelled", "running", "waiting", "queued"]
    keys = [s for s in order if by.get(s)] + sorted(s for s in by if s not in order and by[s])
    return (
        [
            {
                "status": s,
                "count": f"{by[s]:,}",
                "width": f"{by[s] / total * 100:.2f}%",
                "share": f"{by[s] / total * 100:.1f} %",
            }
            for s in keys
        ]
        if total
        else []
    )


def workflow_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Per workflow: display strings and the numbers the table sorts by."""
    return [
        {
            "id": w["workflow_id"] or "",
            "workflow": w["workflow_name"] or "(unsaved workflow)",
            "executions": w["executions"],
            "failed": w["failed"],
            "failure_rate": -1.0 if w["failure_rate"] is None else w["failure_rate"],
            "p50": -1.0 if w["p50_ms"] is None else w["p50_ms"],
            "p95": -1.0 if w["p95_ms"] is None else w["p95_ms"],
            "rate_text": percent(w["failure_rate"]),
            "p50_text": duration(w["p50_ms"]),
            "p95_text": duration(w["p95_ms"]),
        }
        for w in data["workflows"]
    ]


def sort_workflows(rows: list[dict[str, Any]], key: str, desc: bool) -> list[dict[str, Any]]:
    """``rows`` ordered by column ``key`` (names alphabetically on ties)."""
    if key not in WORKFLOW_SORTS:
        key = "p95"
    if key == "workflow":
        return sorted(rows, key=lambda r: str(r["workflow"]).lower(), reverse=desc)
    ordered = sorted(rows, key=lambda r: str(r["workflow"]).lower())
    return sorted(ordered, key=lambda r: r[key], reverse=desc)


def failure_bars(data: dict[str, Any]) -> list[dict[str, str]]:
    """Node types that failed, most failures first: a bar width (percent of the most),
    the counts and the type's failure rate."""
    failing = [t for t in data["node_types"] if t["failed"]]
    failing.sort(key=lambda t: (-t["failed"], t["node_type"]))
    top = max((t["failed"] for t in failing), default=0) or 1
    return [
        {
            "node_type": t["node_type"],
            "width": f"{t['failed'] / top * 100:.1f}%",
            "failed": f"{t['failed']:,}",
            "runs": _count(t["runs"], "run"),
            "rate": percent(t["failure_rate"]),
        }
        for t in failing
    ]


def wait_rows(data: dict[str, Any]) -> list[dict[str, str]]:
    """Queue wait per mode (manual, webhook, schedule, ...)."""
    return [
        {
            "mode": m["mode"],
            "executions": f"{m['executions']:,}",
            "p50": duration(m["p50_ms"]),
            "p95": duration(m["p95_ms"]),
            "max": duration(m["max_ms"]),
        }
        for m in data["queue_wait"]["modes"]
    ]


def usage_rows(data: dict[str, Any]) -> list[dict[str, str]]:
    """LLM usage per model, costliest first."""
    return [
        {
            "model": m["model"] or "(unnamed)",
            "calls": f"{m['calls']:,}",
            "tokens_in": f"{m['tokens_in']:,}",
            "tokens_out": f"{m['tokens_out']:,}",
            "cost": f"${m['cost']:,.4f}",
        }
        for m in data["llm"]["models"]
    ]
