"""Wait: sleeps (cancellably) for short waits; long and webhook waits need durable parking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as du_parser

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.wait.spec import INLINE_LIMIT_S, WaitParams

_UNIT_S = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}
_QUEUE_HINT = (
    "Durable waits park the execution (status 'waiting') and resume it later; "
    "they need the queue runtime, which is not available in this version yet."
)


def _when(value: Any, ctx: NodeContext) -> datetime:
    """The resume time from ISO text, common formats or a Unix timestamp."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise NodeExecutionError(
            "'Date time' is empty. Give the date and time to continue "
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
            f"'Date time' {str(value)[:60]!r} is not a date. Use ISO 8601 such as "
            "'2024-06-01T09:00:00+02:00' or a Unix timestamp."
        ) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=zone)


def _describe(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


def _wait(ctx: NodeContext, seconds: float) -> None:
    if seconds > INLINE_LIMIT_S:
        raise NodeExecutionError(
            f"This Wait would pause for {_describe(seconds)}. Waits longer than "
            f"{INLINE_LIMIT_S:g} seconds are not supported yet: {_QUEUE_HINT} Shorten the "
            "wait, or use a Schedule Trigger for later work.",
            details={"wait_seconds": seconds, "inline_limit_seconds": INLINE_LIMIT_S},
        )
    if seconds > 0:
        ctx.log.info("waiting %.3f s", seconds)
        ctx.sleep(seconds)


def execute(ctx: NodeContext) -> list[Item]:
    """Waits once for all items, then passes them on unchanged."""
    p = ctx.params(0)
    assert isinstance(p, WaitParams)
    if p.resume == "webhook":
        raise NodeExecutionError(
            f"Resuming on a webhook call is not supported yet: {_QUEUE_HINT} Use a time "
            f"interval of at most {INLINE_LIMIT_S:g} seconds for now."
        )
    if p.resume == "time_interval":
        seconds = p.amount * _UNIT_S[p.unit]
    else:
        seconds = (_when(p.date_time, ctx) - ctx.now()).total_seconds()
        if seconds <= 0:
            ctx.log.info("the resume time has passed; continuing at once")
    _wait(ctx, seconds)
    return [item.derive(index=i) for i, item in enumerate(ctx.input("main"))]
