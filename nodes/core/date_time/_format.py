"""Formatting dates: presets, strftime patterns and Luxon-style tokens (as n8n users write)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from engine.sdk import NodeExecutionError

__all__ = ["format_date", "format_luxon", "iso"]

_MAX_PATTERN = 200


def iso(dt: datetime) -> str:
    """ISO 8601 with offset, milliseconds only when present (as AURA expressions print)."""
    if dt.microsecond:
        return dt.isoformat(timespec="milliseconds")
    return dt.isoformat()


def _offset(dt: datetime, colon: bool) -> str:
    off = dt.utcoffset() or timedelta(0)
    minutes = int(off.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h:02d}:{m:02d}" if colon else f"{sign}{h:02d}{m:02d}"


def _short_offset(dt: datetime) -> str:
    off = dt.utcoffset() or timedelta(0)
    minutes = int(off.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h}" + (f":{m:02d}" if m else "")


def _hour12(dt: datetime) -> int:
    return dt.hour % 12 or 12


_TOKENS: dict[str, Callable[[datetime], str]] = {
    "yyyy": lambda d: f"{d.year:04d}",
    "yy": lambda d: f"{d.year % 100:02d}",
    "y": lambda d: str(d.year),
    "kkkk": lambda d: f"{d.isocalendar()[0]:04d}",
    "qq": lambda d: f"{(d.month - 1) // 3 + 1:02d}",
    "q": lambda d: str((d.month - 1) // 3 + 1),
    "MMMM": lambda d: calendar.month_name[d.month],
    "MMM": lambda d: calendar.month_abbr[d.month],
    "MM": lambda d: f"{d.month:02d}",
    "M": lambda d: str(d.month),
    "LLLL": lambda d: calendar.month_name[d.month],
    "LLL": lambda d: calendar.month_abbr[d.month],
    "LL": lambda d: f"{d.month:02d}",
    "L": lambda d: str(d.month),
    "WW": lambda d: f"{d.isocalendar()[1]:02d}",
    "W": lambda d: str(d.isocalendar()[1]),
    "dd": lambda d: f"{d.day:02d}",
    "d": lambda d: str(d.day),
    "ooo": lambda d: f"{d.timetuple().tm_yday:03d}",
    "o": lambda d: str(d.timetuple().tm_yday),
    "EEEE": lambda d: calendar.day_name[d.weekday()],
    "EEE": lambda d: calendar.day_abbr[d.weekday()],
    "E": lambda d: str(d.isoweekday()),
    "cccc": lambda d: calendar.day_name[d.weekday()],
    "ccc": lambda d: calendar.day_abbr[d.weekday()],
    "c": lambda d: str(d.isoweekday()),
    "HH": lambda d: f"{d.hour:02d}",
    "H": lambda d: str(d.hour),
    "hh": lambda d: f"{_hour12(d):02d}",
    "h": lambda d: str(_hour12(d)),
    "a": lambda d: "AM" if d.hour < 12 else "PM",
    "mm": lambda d: f"{d.minute:02d}",
    "m": lambda d: str(d.minute),
    "ss": lambda d: f"{d.second:02d}",
    "s": lambda d: str(d.second),
    "SSS": lambda d: f"{d.microsecond // 1000:03d}",
    "S": lambda d: str(d.microsecond // 1000),
    "u": lambda d: f"{d.microsecond:06d}",
    "ZZZ": lambda d: _offset(d, colon=False),
    "ZZ": lambda d: _offset(d, colon=True),
    "Z": _short_offset,
    "z": lambda d: str(getattr(d.tzinfo, "key", None) or d.tzname() or ""),
    "X": lambda d: str(int(d.timestamp())),
    "x": lambda d: str(int(d.timestamp() * 1000)),
}
_TOKEN_RE = re.compile(
    "'(?:[^']|'')*'|" + "|".join(sorted((re.escape(t) for t in _TOKENS), key=len, reverse=True))
)


def format_luxon(dt: datetime, pattern: str) -> str:
    """Formats with Luxon tokens (``yyyy-MM-dd HH:mm``); text in single quotes is literal."""
    out: list[str] = []
    pos = 0
    for m in _TOKEN_RE.finditer(pattern):
        out.append(pattern[pos : m.start()])
        tok = m.group(0)
        if tok.startswith("'"):
            out.append(tok[1:-1].replace("''", "'") if tok != "''" else "'")
        else:
            out.append(_TOKENS[tok](dt))
        pos = m.end()
    out.append(pattern[pos:])
    return "".join(out)


_PRESETS: dict[str, Callable[[datetime], str]] = {
    "iso": iso,
    "date": lambda d: d.strftime("%Y-%m-%d"),
    "time": lambda d: d.strftime("%H:%M:%S"),
    "datetime": lambda d: d.strftime("%Y-%m-%d %H:%M:%S"),
    "rfc2822": lambda d: format_datetime(d),
    "http": lambda d: format_datetime(d.astimezone(UTC), usegmt=True),
    "us": lambda d: d.strftime("%m/%d/%Y"),
    "eu": lambda d: d.strftime("%d/%m/%Y"),
    "long": lambda d: f"{calendar.month_name[d.month]} {d.day}, {d.year}",
    "full": lambda d: (
        f"{calendar.day_name[d.weekday()]}, {calendar.month_name[d.month]} "
        f"{d.day}, {d.year} {_hour12(d)}:{d.minute:02d} "
        f"{'AM' if d.hour < 12 else 'PM'}"
    ),
}


def format_date(dt: datetime, preset: str, custom: str) -> str | int:
    """Formats ``dt`` with a preset name, or ``custom`` (strftime if it has '%')."""
    if preset == "unix_s":
        return int(dt.timestamp())
    if preset == "unix_ms":
        return round(dt.timestamp() * 1000)
    if preset != "custom":
        return _PRESETS[preset](dt)
    if not custom:
        raise NodeExecutionError(
            "Format 'custom' needs a 'Custom format', e.g. 'yyyy-MM-dd' or '%Y-%m-%d'."
        )
    if len(custom) > _MAX_PATTERN:
        raise NodeExecutionError(f"'Custom format' is longer than {_MAX_PATTERN} characters.")
    if "%" in custom:
        try:
            return dt.strftime(custom)
        except ValueError as exc:
            raise NodeExecutionError(
                f"'Custom format' {custom!r} is not a valid strftime pattern: {exc}"
            ) from None
    return format_luxon(dt, custom)
