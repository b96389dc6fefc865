"""Date & Time: runs the chosen date operation on each item and stores the result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.sdk import Item, NodeContext
from nodes.core.date_time._calc import add, difference, extract, round_date
from nodes.core.date_time._format import format_date, iso
from nodes.core.date_time._parse import get_zone, parse_date
from nodes.core.date_time.spec import DEFAULT_FIELDS, DateTimeParams


def _result(ctx: NodeContext, p: DateTimeParams) -> Any:
    zone = get_zone(p.timezone or ctx.workflow.timezone or "UTC")
    now = ctx.now().astimezone(zone)

    def date(value: Any = p.date, what: str = "Date") -> datetime:
        return parse_date(
            value,
            zone=zone,
            now=now,
            input_format=p.input_format,
            custom_format=p.custom_input_format,
            day_first=p.day_first,
            what=what,
        )

    op = p.operation
    if op == "current_date":
        return iso(now if p.include_time else round_date(now, "day", "down"))
    if op in ("add", "subtract"):
        return iso(add(date(), p.duration if op == "add" else -p.duration, p.unit))
    if op == "format":
        return format_date(date(), p.format, p.custom_format)
    if op == "difference":
        return difference(
            date(what="Start date ('date')"), date(p.end_date, "End date"), list(p.units)
        )
    if op == "extract":
        return extract(date(), p.part)
    return iso(round_date(date(), p.round_unit, p.round_mode, p.round_step))


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Adds the operation's result to each item under the output field."""

    def one(item: Item, i: int) -> dict[str, Any]:
        p = ctx.params(i)
        assert isinstance(p, DateTimeParams)
        field = p.output_field or DEFAULT_FIELDS[p.operation]
        return {**item.json, field: _result(ctx, p)}

    return ctx.map(one)
