"""Schedule Trigger: outputs one item describing the firing time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.sdk import Item, NodeContext
from nodes.core.schedule_trigger.schedule import resolve_timezone
from nodes.core.schedule_trigger.spec import ScheduleParams


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def describe(t: datetime) -> dict[str, Any]:
    """The fields n8n users know: timestamp (ISO, tz-aware) and readable parts (strings)."""
    hour12 = t.hour % 12 or 12
    ampm = "am" if t.hour < 12 else "pm"
    clock = f"{hour12}:{t.minute:02d}:{t.second:02d} {ampm}"
    offset = t.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else "+00:00"
    return {
        "timestamp": t.isoformat(),
        "Readable date": f"{t.strftime('%B')} {_ordinal(t.day)} {t.year}, {clock}",
        "Readable time": clock,
        "Day of week": t.strftime("%A"),
        "Year": f"{t.year}",
        "Month": t.strftime("%B"),
        "Day of month": f"{t.day:02d}",
        "Hour": f"{t.hour:02d}",
        "Minute": f"{t.minute:02d}",
        "Second": f"{t.second:02d}",
        "Timezone": f"{getattr(t.tzinfo, 'key', None) or t.tzname()} (UTC{offset})",
    }


def _fired_at(ctx: NodeContext) -> datetime:
    """The scheduled time passed by the scheduler ({"timestamp": ISO}), else now."""
    for item in ctx.input("main")[:1]:
        ts = item.json.get("timestamp")
        if isinstance(ts, str):
            try:
                t = datetime.fromisoformat(ts.replace("Z", "+00:00"))
            except ValueError:
                break
            if t.tzinfo is not None:
                return t
    return ctx.now()


def execute(ctx: NodeContext) -> list[Item]:
    """One item for the firing time, in the schedule's (or the workflow's) timezone."""
    p = ctx.params(0)
    assert isinstance(p, ScheduleParams)
    tz = resolve_timezone(p.timezone, ctx.workflow.timezone or "UTC")
    return [Item(json=describe(_fired_at(ctx).astimezone(tz)))]
