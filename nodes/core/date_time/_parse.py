"""Reading dates and timezones from parameter values."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as du_parser

from engine.sdk import NodeExecutionError

__all__ = ["get_zone", "parse_date"]

_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$", re.IGNORECASE)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_MS_THRESHOLD = 100_000_000_000  # numbers above this are milliseconds (after 1973-03-03 in ms)


@lru_cache(maxsize=128)
def get_zone(name: str) -> tzinfo:
    """An IANA zone ('Europe/Berlin'), 'UTC', or a fixed offset ('+02:00')."""
    n = name.strip()
    if n.upper() in ("UTC", "Z", "GMT"):
        return UTC
    m = _OFFSET.match(n)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
        return timezone(sign * delta)
    try:
        return ZoneInfo(n)
    except (ValueError, KeyError, OSError):
        raise NodeExecutionError(
            f"Unknown timezone {name!r}. Use an IANA name such as 'Europe/Berlin', "
            "'America/New_York' or 'UTC', or an offset like '+02:00'."
        ) from None


def _epoch(value: float, unit: str) -> datetime:
    if unit == "auto":
        unit = "unix_ms" if abs(value) >= _MS_THRESHOLD else "unix_s"
    seconds = value / 1000 if unit == "unix_ms" else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise NodeExecutionError(f"Timestamp {value!r} is out of range.") from None


def _keyword(text: str, now: datetime) -> datetime | None:
    low = text.lower()
    if low == "now":
        return now
    days = {"today": 0, "tomorrow": 1, "yesterday": -1}.get(low)
    if days is None:
        return None
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return (midnight + timedelta(days=days)).replace(tzinfo=now.tzinfo)


def parse_date(
    value: Any,
    *,
    zone: tzinfo,
    now: datetime,
    input_format: str = "auto",
    custom_format: str = "",
    day_first: bool = False,
    what: str = "Date",
) -> datetime:
    """Turns ``value`` into an aware datetime shown in ``zone``.

    Naive values are taken to be in ``zone``. Raises NodeExecutionError naming ``what``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise NodeExecutionError(
            f"{what} is empty. Give a date, or check the expression that should produce it."
        )
    dt = _parse(value, zone, now, input_format, custom_format, day_first, what)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone)
    return dt.astimezone(zone)


def _parse(
    value: Any, zone: tzinfo, now: datetime, fmt: str, custom: str, day_first: bool, what: str
) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - zone added later
    if isinstance(value, bool):
        raise NodeExecutionError(f"{what}: {value!r} is not a date.")
    if isinstance(value, int | float):
        if fmt in ("iso", "custom"):
            raise NodeExecutionError(f"{what}: {value!r} is a number, not {fmt} text.")
        return _epoch(float(value), fmt)
    if not isinstance(value, str):
        raise NodeExecutionError(
            f"{what}: expected a date, got {type(value).__name__} {str(value)[:60]!r}."
        )
    text = value.strip()
    try:
        if fmt in ("unix_s", "unix_ms"):
            return _epoch(float(text), fmt)
        if fmt == "custom":
            if not custom:
                raise NodeExecutionError(
                    "Input format 'custom' needs a 'Custom input format' such as '%d.%m.%Y'."
                )
            return datetime.strptime(text, custom)  # noqa: DTZ007 - zone added by the caller
        if fmt == "iso":
            return datetime.fromisoformat(text)
        if _NUMBER.match(text):
            return _epoch(float(text), "auto")
        kw = _keyword(text, now)
        if kw is not None:
            return kw
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            parsed: datetime = du_parser.parse(text, dayfirst=day_first)
            return parsed
    except NodeExecutionError:
        raise
    except (ValueError, OverflowError, du_parser.ParserError):
        hint = {
            "custom": f"with the pattern {custom!r}",
            "iso": "as ISO 8601",
            "unix_s": "as a Unix timestamp",
            "unix_ms": "as a Unix timestamp",
        }.get(fmt, "(tried ISO 8601, Unix timestamps and common formats)")
        raise NodeExecutionError(
            f"{what}: cannot read {text[:80]!r} as a date {hint}. Fix the value or set "
            "'Input format'."
        ) from None
