"""``DateTime``: the one non-JSON value of expressions, an opaque timezone-aware instant.

Expressions reach it only through the whitelisted properties and methods registered in
``_methods.py``; its Python attributes are never exposed. When a DateTime leaves an
expression it becomes its ISO 8601 string.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache, total_ordering
from typing import Any
from zoneinfo import ZoneInfo

from engine.errors import ExpressionError

__all__ = ["UNITS", "DateTime", "get_zone", "parse_date"]

UNITS = ("years", "quarters", "months", "weeks", "days", "hours", "minutes", "seconds",
         "milliseconds")
_ALIASES = {"y": "years", "q": "quarters", "d": "days", "h": "hours", "m": "minutes",
            "s": "seconds", "ms": "milliseconds", "min": "minutes", "sec": "seconds",
            "w": "weeks"}
_ZONE_RE = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+){0,3}")
_ABSOLUTE = {"weeks": 604_800.0, "days": 86_400.0, "hours": 3600.0, "minutes": 60.0,
             "seconds": 1.0, "milliseconds": 0.001}
_MAX_FORMAT = 200


@lru_cache(maxsize=256)
def get_zone(name: str) -> tzinfo:
    """The timezone called ``name`` (IANA, e.g. ``Europe/Berlin``, or ``UTC``)."""
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    if len(name) > 64 or not _ZONE_RE.fullmatch(name):
        raise ExpressionError(f"Unknown timezone '{name[:64]}'. Use an IANA name such as "
                              "'Europe/Berlin' or 'UTC'.")
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise ExpressionError(f"Unknown timezone '{name}'. Use an IANA name such as "
                              "'Europe/Berlin' or 'UTC'.") from None


def unit_name(unit: Any) -> str:
    """Normalizes ``'day'``, ``'Days'``, ``'d'`` ... to a name in :data:`UNITS`."""
    if not isinstance(unit, str):
        raise ExpressionError(f"A time unit must be text such as 'days'; got {unit!r:.40}.")
    u = unit.strip().lower()
    u = _ALIASES.get(u, u if u.endswith("s") else u + "s")
    if u not in UNITS:
        raise ExpressionError(f"Unknown time unit '{unit:.40}'. Use one of: "
                              + ", ".join(UNITS) + ".")
    return u


def _add_months(dt: datetime, months: int) -> datetime:
    y, m = divmod(dt.month - 1 + months, 12)
    year = dt.year + y
    if not 1 <= year <= 9999:
        raise ExpressionError("The date would be outside the years 1 to 9999.")
    day = min(dt.day, calendar.monthrange(year, m + 1)[1])
    return dt.replace(year=year, month=m + 1, day=day)


@total_ordering
class DateTime:
    """An aware instant with a display timezone. Immutable; compare with ``<``, ``==``."""

    __slots__ = ("_dt",)

    def __init__(self, dt: datetime) -> None:
        self._dt = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)

    # -- Python side (used by AURA code, never by expressions) ----------------------
    def to_datetime(self) -> datetime:
        """The wrapped aware :class:`datetime`."""
        return self._dt

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateTime) and self._dt == other._dt

    def __lt__(self, other: DateTime) -> bool:
        if not isinstance(other, DateTime):
            return NotImplemented
        return self._dt < other._dt

    def __hash__(self) -> int:
        return hash(self._dt)

    def __repr__(self) -> str:
        return f"DateTime({self.iso()})"

    # -- expression surface ---------------------------------------------------------
    def iso(self) -> str:
        """ISO 8601 text, e.g. ``2024-05-01T09:30:00+02:00``."""
        return self._dt.isoformat()

    def format(self, pattern: str) -> str:
        """Formats with a ``strftime`` pattern such as ``'%Y-%m-%d %H:%M'``."""
        if not isinstance(pattern, str) or len(pattern) > _MAX_FORMAT:
            raise ExpressionError(f"format() takes a strftime pattern of at most "
                                  f"{_MAX_FORMAT} characters, e.g. '%Y-%m-%d'.")
        try:
            return self._dt.strftime(pattern)
        except (ValueError, OverflowError) as exc:
            raise ExpressionError(f"Invalid date format pattern: {exc}") from None

    def plus(self, amount: Any, unit: Any = "days") -> DateTime:
        """This instant moved by ``amount`` units; days and longer keep the wall-clock time."""
        u = unit_name(unit)
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise ExpressionError(f"plus()/minus() need a number of {u}; got {amount!r:.40}.")
        try:
            if u in ("years", "quarters", "months"):
                if amount != int(amount):
                    raise ExpressionError(f"Add a whole number of {u} (got {amount}).")
                factor = {"years": 12, "quarters": 3, "months": 1}[u]
                return DateTime(_add_months(self._dt, int(amount) * factor))
            if u in ("weeks", "days"):  # wall clock: 'tomorrow at the same time' across DST
                days = amount * (7 if u == "weeks" else 1)
                local = self._dt.replace(tzinfo=None) + timedelta(days=days)
                return DateTime(local.replace(tzinfo=self._dt.tzinfo))
            tz = self._dt.tzinfo
            moved = self._dt.astimezone(UTC) + timedelta(seconds=amount * _ABSOLUTE[u])
            return DateTime(moved.astimezone(tz))
        except (OverflowError, ValueError):
            raise ExpressionError("The date would be outside the years 1 to 9999.") from None

    def minus(self, amount: Any, unit: Any = "days") -> DateTime:
        """This instant moved back by ``amount`` units."""
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise ExpressionError(f"minus() needs a number; got {amount!r:.40}.")
        return self.plus(-amount, unit)

    def start_of(self, unit: Any) -> DateTime:
        """The start of the year/quarter/month/week (Monday)/day/hour/minute/second."""
        u = unit_name(unit)
        d = self._dt
        if u == "milliseconds":
            return DateTime(d.replace(microsecond=d.microsecond - d.microsecond % 1000))
        d = d.replace(microsecond=0)
        if u == "seconds":
            return DateTime(d)
        d = d.replace(second=0)
        if u == "minutes":
            return DateTime(d)
        d = d.replace(minute=0)
        if u == "hours":
            return DateTime(d)
        d = d.replace(hour=0)
        if u == "weeks":
            d = d.replace(tzinfo=None) - timedelta(days=d.weekday())
            return DateTime(d.replace(tzinfo=self._dt.tzinfo))
        if u in ("years", "quarters", "months"):
            month = 1 if u == "years" else (
                d.month - (d.month - 1) % 3 if u == "quarters" else d.month)
            d = d.replace(month=month, day=1)
        return DateTime(d)

    def end_of(self, unit: Any) -> DateTime:
        """The last millisecond of the unit this instant is in."""
        u = unit_name(unit)
        return self.start_of(u).plus(1, u).plus(-1, "milliseconds")

    def to_timezone(self, zone: Any) -> DateTime:
        """The same instant shown in timezone ``zone``."""
        if not isinstance(zone, str):
            raise ExpressionError("to_timezone() takes a timezone name such as 'UTC'.")
        return DateTime(self._dt.astimezone(get_zone(zone)))

    def diff(self, other: Any, unit: Any = "seconds") -> float | int:
        """``self - other`` in ``unit``; months/quarters/years count whole calendar units."""
        if not isinstance(other, DateTime):
            raise ExpressionError("diff() compares two dates; convert text with date().")
        u = unit_name(unit)
        if u in ("years", "quarters", "months"):
            a, b = self._dt, other._dt.astimezone(self._dt.tzinfo)
            sign = 1 if a >= b else -1
            hi, lo = (a, b) if sign > 0 else (b, a)
            months = (hi.year - lo.year) * 12 + hi.month - lo.month
            if _add_months(lo, months) > hi:
                months -= 1
            return sign * (months // {"years": 12, "quarters": 3, "months": 1}[u])
        seconds = (self._dt - other._dt).total_seconds()
        return seconds / _ABSOLUTE[u]

    def part(self, name: str) -> Any:
        """A calendar field: year, month, day, hour, minute, second, millisecond,
        weekday (1 = Monday ... 7 = Sunday), weekday_name, month_name, day_of_year,
        timestamp (seconds since 1970), timezone."""
        d = self._dt
        if name == "millisecond":
            return d.microsecond // 1000
        if name == "weekday":
            return d.isoweekday()
        if name == "weekday_name":
            return calendar.day_name[d.weekday()]
        if name == "month_name":
            return calendar.month_name[d.month]
        if name == "day_of_year":
            return d.timetuple().tm_yday
        if name == "timestamp":
            return d.timestamp()
        if name == "timezone":
            return "UTC" if d.tzinfo is UTC else str(d.tzinfo)
        fields: dict[str, int] = {"year": d.year, "month": d.month, "day": d.day,
                                  "hour": d.hour, "minute": d.minute, "second": d.second}
        return fields[name]


PARTS = ("year", "month", "day", "hour", "minute", "second", "millisecond", "weekday",
         "weekday_name", "month_name", "day_of_year", "timestamp", "timezone")


def parse_date(value: Any, zone: tzinfo, pattern: Any = None) -> DateTime:
    """A DateTime from ISO text, a ``strptime`` ``pattern``, epoch seconds/ms or a DateTime.

    Naive times are read in ``zone``.
    """
    if isinstance(value, DateTime):
        return value
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int | float):
            secs = value / 1000 if abs(value) > 100_000_000_000 else value
            return DateTime(datetime.fromtimestamp(secs, UTC).astimezone(zone))
        if not isinstance(value, str):
            raise TypeError
        text = value.strip()
        if pattern is not None:
            if not isinstance(pattern, str) or len(pattern) > _MAX_FORMAT:
                raise ExpressionError("date() takes a strptime pattern such as '%d/%m/%Y'.")
            dt = datetime.strptime(text[:_MAX_FORMAT], pattern)  # noqa: DTZ007 - localized below
        else:
            if len(text) > 64:
                raise ValueError
            dt = _from_iso(text)
        return DateTime(dt if dt.tzinfo else dt.replace(tzinfo=zone))
    except (ValueError, OverflowError, OSError):
        shown = value if isinstance(value, str) else repr(value)
        raise ExpressionError(
            f"Cannot read '{shown[:64]}' as a date. Use ISO 8601 such as "
            "'2024-05-01T09:30:00Z', or give a pattern: date(text, '%d/%m/%Y').") from None
    except TypeError:
        raise ExpressionError("date() takes text, a number (seconds since 1970) or a date; "
                              f"got {type(value).__name__}.") from None


def _from_iso(text: str) -> datetime:
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
