"""Date arithmetic: add, difference, extract a part, round. All inputs are aware datetimes.

Calendar units (days and longer) move the wall-clock time, so "tomorrow at 09:00" stays
09:00 across a DST change; hours and shorter move the absolute time.
"""

from __future__ import annotations

import calendar
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from engine.sdk import NodeExecutionError

__all__ = ["add", "difference", "extract", "round_date"]

_MONTHS = {"years": 12, "quarters": 3, "months": 1}
_DAYS = {"weeks": 7, "days": 1}
_SECONDS = {"hours": 3600.0, "minutes": 60.0, "seconds": 1.0, "milliseconds": 0.001}
_ORDER = (
    "years",
    "quarters",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "milliseconds",
)


def _wall(dt: datetime, local: datetime) -> datetime:
    """``local`` (naive wall-clock time) placed back in ``dt``'s timezone."""
    return local.replace(tzinfo=dt.tzinfo)


def add(dt: datetime, amount: float, unit: str) -> datetime:
    """``dt`` moved by ``amount`` ``unit`` (negative to subtract)."""
    try:
        if unit in _MONTHS:
            whole = int(amount)
            if whole != amount:
                raise NodeExecutionError(
                    f"Add or subtract a whole number of {unit} (got {amount:g}); use a "
                    "smaller unit for fractions."
                )
            local = dt.replace(tzinfo=None) + relativedelta(months=whole * _MONTHS[unit])
            return _wall(dt, local)
        if unit in _DAYS:
            local = dt.replace(tzinfo=None) + timedelta(days=amount * _DAYS[unit])
            return _wall(dt, local)
        moved = dt.astimezone(UTC) + timedelta(seconds=amount * _SECONDS[unit])
        return moved.astimezone(dt.tzinfo)
    except (OverflowError, ValueError):
        raise NodeExecutionError("The resulting date is outside the years 1 to 9999.") from None


def _clean(n: float) -> int | float:
    r = round(n, 6)
    return int(r) if r == int(r) else r


def difference(start: datetime, end: datetime, units: list[str]) -> dict[str, int | float]:
    """``end - start`` expressed in ``units`` (largest first); the last unit keeps the
    fraction. Negative when ``end`` is before ``start``."""
    ordered = sorted(set(units), key=_ORDER.index)
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    end = end.astimezone(start.tzinfo)
    result: dict[str, int | float] = {}
    cursor = start
    for idx, unit in enumerate(ordered):
        last = idx == len(ordered) - 1
        if unit in _MONTHS or unit in _DAYS:
            months = _MONTHS.get(unit)
            a, b = cursor.replace(tzinfo=None), end.replace(tzinfo=None)
            if months:
                rd = relativedelta(b, a)
                n = (rd.years * 12 + rd.months) // months
                step = relativedelta(months=months)
                nxt = a + relativedelta(months=n * months)
            else:
                days = _DAYS[unit]
                n = (b - a) // timedelta(days=days)
                step = relativedelta(days=days)
                nxt = a + timedelta(days=n * days)
            value: float = n
            if last:
                span = (nxt + step) - nxt
                value = n + ((b - nxt) / span if span else 0)
            result[unit] = value
            cursor = _wall(start, nxt)
        else:
            remaining = (end.astimezone(UTC) - cursor.astimezone(UTC)).total_seconds()
            size = _SECONDS[unit]
            value = remaining / size if last else math.floor(remaining / size + 1e-9)
            result[unit] = value
            cursor = (cursor.astimezone(UTC) + timedelta(seconds=value * size)).astimezone(
                start.tzinfo
            )
    return {u: _clean(sign * v) if v else 0 for u, v in result.items()}


def extract(dt: datetime, part: str) -> Any:
    """One part of ``dt``: year, quarter, month, ISO week, day, hour, names, timestamps."""
    parts: dict[str, Any] = {
        "year": dt.year,
        "quarter": (dt.month - 1) // 3 + 1,
        "month": dt.month,
        "week": dt.isocalendar()[1],
        "day": dt.day,
        "day_of_week": dt.isoweekday(),
        "day_of_year": dt.timetuple().tm_yday,
        "hour": dt.hour,
        "minute": dt.minute,
        "second": dt.second,
        "millisecond": dt.microsecond // 1000,
        "timestamp": int(dt.timestamp()),
        "timestamp_ms": round(dt.timestamp() * 1000),
        "month_name": calendar.month_name[dt.month],
        "weekday_name": calendar.day_name[dt.weekday()],
        "timezone": str(getattr(dt.tzinfo, "key", None) or dt.tzname() or ""),
        "offset_minutes": int((dt.utcoffset() or timedelta(0)).total_seconds() // 60),
    }
    return parts[part]


def _floor(dt: datetime, unit: str, step: int) -> tuple[datetime, relativedelta]:
    """Start of the ``unit`` containing ``dt`` (wall clock, naive) and the unit's length."""
    local = dt.replace(tzinfo=None)
    if unit == "second":
        return local.replace(microsecond=0, second=local.second // step * step), relativedelta(
            seconds=step
        )
    if unit == "minute":
        return local.replace(
            second=0, microsecond=0, minute=local.minute // step * step
        ), relativedelta(minutes=step)
    if unit == "hour":
        return local.replace(
            minute=0, second=0, microsecond=0, hour=local.hour // step * step
        ), relativedelta(hours=step)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day, relativedelta(days=1)
    if unit == "week":
        return day - timedelta(days=day.weekday()), relativedelta(weeks=1)
    if unit == "month":
        return day.replace(day=1), relativedelta(months=1)
    if unit == "quarter":
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1), relativedelta(months=3)
    return day.replace(day=1, month=1), relativedelta(years=1)


def round_date(dt: datetime, unit: str, mode: str, step: int = 1) -> datetime:
    """``dt`` rounded to ``unit``: down (start), up (next start), nearest, or end."""
    if step > 1 and unit not in ("second", "minute", "hour"):
        raise NodeExecutionError(
            f"'Round step' works with second, minute and hour, not {unit}; set it to 1."
        )
    try:
        start, length = _floor(dt, unit, step)
        local = dt.replace(tzinfo=None)
        if mode == "down":
            out = start
        elif mode == "end":
            out = start + length - timedelta(milliseconds=1)
        elif mode == "up":
            out = start if local == start else start + length
        else:
            nxt = start + length
            out = nxt if (local - start) >= (nxt - local) else start
    except (OverflowError, ValueError):
        raise NodeExecutionError("The rounded date is outside the years 1 to 9999.") from None
    return _wall(dt, out)
