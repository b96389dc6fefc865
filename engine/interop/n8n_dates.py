"""n8n Date & Time v2 → ``core.date_time`` (Luxon formats pass through: AURA reads Luxon
tokens), and the retired Item Lists node → the node each of its operations became."""

from __future__ import annotations

from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable

__all__ = ["map_date_time", "map_item_lists"]


_DT_OPS = {
    "getCurrentDate": "current_date",
    "addToDate": "add",
    "subtractFromDate": "subtract",
    "formatDate": "format",
    "getTimeBetweenDates": "difference",
    "extractDate": "extract",
    "roundDate": "round",
}
_DT_UNITS = {
    "year": "years",
    "quarter": "quarters",
    "month": "months",
    "week": "weeks",
    "day": "days",
    "hour": "hours",
    "minute": "minutes",
    "second": "seconds",
    "millisecond": "milliseconds",
}


def map_date_time(cx: MapContext) -> Mapped:
    if float(cx.version) < 2:
        raise Unmappable("Date & Time v1 (moment.js formats)")
    op = cx.get("operation", "getCurrentDate")
    if op not in _DT_OPS:
        raise Unmappable(f"date operation '{op}'")
    p: dict[str, Any] = {"operation": _DT_OPS[op]}
    default_out = {
        "current_date": "currentDate",
        "add": "newDate",
        "subtract": "newDate",
        "format": "formattedDate",
        "difference": "timeDifference",
        "extract": "datePart",
        "round": "roundedDate",
    }[p["operation"]]
    p["output_field"] = cx.literal("outputFieldName", default_out) or default_out
    opts = cx.get("options") or {}
    if op == "getCurrentDate":
        p["include_time"] = bool(cx.get("includeTime", True))
        if isinstance(opts.get("timezone"), str) and opts["timezone"]:
            p["timezone"] = opts["timezone"]
    elif op in ("addToDate", "subtractFromDate"):
        p["date"] = cx.x("magnitude", "")
        p["unit"] = cx.literal("timeUnit", "days")
        p["duration"] = cx.x("duration", 0)
    elif op == "formatDate":
        p["date"] = cx.x("date", "")
        fmt = cx.literal("format", "MM/dd/yyyy")
        if fmt == "X":
            p["format"] = "unix_s"
        elif fmt == "x":
            p["format"] = "unix_ms"
        else:
            p["format"] = "custom"
            p["custom_format"] = cx.literal("customFormat", "") if fmt == "custom" else fmt
        if opts.get("fromFormat"):
            cx.note(
                "the 'from date format' option is not carried over: AURA reads common "
                "formats itself, or set 'custom input format' (strftime)"
            )
    elif op == "getTimeBetweenDates":
        p["date"] = cx.x("startDate", "")
        p["end_date"] = cx.x("endDate", "")
        units = cx.get("units") or ["day"]
        p["units"] = [_DT_UNITS[u] for u in units if u in _DT_UNITS] or ["days"]
    elif op == "extractDate":
        p["date"] = cx.x("date", "")
        p["part"] = cx.literal("part", "month")
    else:
        p["date"] = cx.x("date", "")
        mode = cx.get("mode", "roundDown")
        p["round_mode"] = "up" if mode == "roundUp" else "down"
        p["round_unit"] = cx.literal("toNearest" if mode != "roundUp" else "to", "day") or "day"
    return Mapped("core.date_time", p)


_ITEM_LISTS = {
    "splitOutItems": "splitOut",
    "concatenateItems": "aggregate",
    "limit": "limit",
    "removeDuplicates": "removeDuplicates",
    "sort": "sort",
    "summarize": "summarize",
}


def map_item_lists(cx: MapContext) -> Mapped:
    op = cx.get("operation", "splitOutItems")
    if op not in _ITEM_LISTS:
        raise Unmappable(f"item list operation '{op}'")
    sub = MapContext(cx.p, version=1)
    from engine.interop.n8n_nodes import MAPPERS

    out = MAPPERS[f"n8n-nodes-base.{_ITEM_LISTS[op]}"](sub)
    cx.notes.extend(sub.notes)
    cx.expressions.extend(sub.expressions)
    return out
