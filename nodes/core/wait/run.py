"""Wait: sleeps (cancellably) for short waits; parks the execution for the rest.

A time interval of at most ``INLINE_LIMIT_S`` sleeps inside the running execution.
Longer intervals, a specific date-time in the future and webhook resumes raise
:class:`engine.sdk.WaitRequested`: the execution is parked (status ``waiting``, no
worker held) and resumed later by the scheduler (time) or the resume URL (webhook).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as du_parser

from engine.sdk import Item, NodeContext, NodeExecutionError, WaitRequested
from nodes.core.wait.spec import INLINE_LIMIT_S, WaitParams

_UNIT_S = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}


def _when(value: Any, ctx: NodeContext, label: str = "Date time") -> datetime:
    """The resume time from ISO text, common formats or a Unix timestamp."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise NodeExecutionError(
            f"'{label}' is empty. Give the date and time to continue "
            "at, e.g. '2024-06-01T09:00:00'."
        )
    zone = ZoneInfo(ctx.workflow.timezone or "UTC")
    try:
        if isinstance(value, datetime):
            dt = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            dt = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
        else:
            text = str(value).strip()
            try:
                dt = datetime.fromisoformat(text)
            except ValueError:
                dt = du_parser.parse(text)
    except (ValueError, OverflowError, OSError, du_parser.ParserError):
        raise NodeExecutionError(
            f"'{label}' {str(value)[:60]!r} is not a date. Use ISO 8601 such as "
            "'2024-06-01T09:00:00+02:00' or a Unix timestamp."
        ) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=zone)


def _webhook_wait(ctx: NodeContext, p: WaitParams) -> WaitRequested:
    limit: datetime | None = None
    if p.limit_wait:
        if p.limit_type == "after_interval":
            limit = ctx.now() + timedelta(seconds=p.limit_amount * _UNIT_S[p.limit_unit])
        else:
            limit = _when(p.limit_date_time, ctx, "Limit date time")
    return WaitRequested(until=limit, resume="webhook", webhook_method=p.webhook_method,
                         webhook_suffix=p.webhook_suffix.strip().strip("/"),
                         response_code=p.response_code, options={"respond": p.respond})


def execute(ctx: NodeContext) -> list[Item]:
    """Waits once for all items, then passes them on unchanged."""
    p = ctx.params(0)
    assert isinstance(p, WaitParams)
    if p.resume == "webhook":
        raise _webhook_wait(ctx, p)
    if p.resume == "time_interval":
        seconds = p.amount * _UNIT_S[p.unit]
        if seconds > INLINE_LIMIT_S:
            raise WaitRequested(until=ctx.now() + timedelta(seconds=seconds))
        if seconds > 0:
            ctx.log.info("waiting %.3f s", seconds)
            ctx.sleep(seconds)
    else:
        when = _when(p.date_time, ctx)
        if when > ctx.now():
            raise WaitRequested(until=when)
        ctx.log.info("the resume time has passed; continuing at once")
    return [item.derive(index=i) for i, item in enumerate(ctx.input("main"))]
