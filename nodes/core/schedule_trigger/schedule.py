"""When a Schedule Trigger fires: :func:`next_fire_times`, pure and standard-library only
(plus croniter), so the scheduler can call it without the engine.

Rules are read from the validated params model or from a plain dict of the same shape.

- ``seconds`` / ``minutes``: every N seconds/minutes of absolute time, aligned on
  multiples of the period since the Unix epoch (every 15 minutes fires at :00, :15, ...).
- ``hours``: at minute M of every N-th hour of the local wall clock (counted from
  midnight, 1970-01-01), so every 6 hours fires at 00:M, 06:M, 12:M, 18:M.
- ``days``: at H:M local time every N-th day (days counted from 1970-01-01).
- ``weeks``: at H:M local time on the chosen weekdays of every N-th week (weeks start on
  Monday and are counted from Monday 1970-01-05).
- ``months``: at H:M local time on day D of every N-th month (January, then every N
  months: N=3 fires in Jan, Apr, Jul, Oct); D beyond the month's end means its last day.
- ``cron``: a cron expression of 5 fields (minute hour day month weekday) or 6 fields with
  seconds first (second minute hour day month weekday), or a macro like ``@daily``.

Local times that do not exist (the hour skipped when DST starts) fire at the shifted time
just after the gap; repeated local times (DST end) fire once, at the first occurrence.
"""

from __future__ import annotations

import heapq
import itertools
from calendar import monthrange
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from croniter.croniter import CroniterBadDateError, CroniterError

__all__ = ["WEEKDAYS", "cron_error", "next_fire_times", "resolve_timezone"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EPOCH_ORD = date(1970, 1, 1).toordinal()
_EPOCH_MONDAY_ORD = date(1970, 1, 5).toordinal()
_SCAN_LIMIT = 100_000  # wall-clock candidates examined per rule before giving up


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def cron_error(expression: str) -> str | None:
    """Why ``expression`` is not a usable cron expression, or None if it is."""
    expr = " ".join(expression.split())
    if not expr:
        return "the cron expression is empty; write one such as '0 9 * * 1-5' (9:00 on weekdays)."
    fields = expr.split(" ")
    if not expr.startswith("@") and len(fields) not in (5, 6):
        return (f"the cron expression '{expr}' has {len(fields)} fields; use 5 (minute hour "
                "day-of-month month day-of-week) or 6 with seconds first.")
    try:
        croniter(expr, datetime(2024, 1, 1, tzinfo=UTC),
                 second_at_beginning=len(fields) == 6)
    except (CroniterError, ValueError, KeyError) as exc:
        return f"the cron expression '{expr}' is not valid: {exc}."
    return None


def resolve_timezone(name: str | None, default: str = "UTC") -> ZoneInfo:
    """The ZoneInfo for ``name`` (falling back to ``default`` when empty).

    Raises:
        ValueError: unknown timezone name.
    """
    key = (name or "").strip() or default
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone '{key}'; use an IANA name such as "
                         "'Europe/Paris' or 'America/New_York'.") from None


def _localize(naive: datetime, tz: tzinfo) -> datetime:
    """Wall-clock ``naive`` in ``tz``; non-existent times shift forward past the gap."""
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def _absolute(after: datetime, period_s: int, tz: tzinfo) -> Iterator[datetime]:
    n = int(after.timestamp() // period_s) + 1
    while True:
        yield datetime.fromtimestamp(n * period_s, tz=UTC).astimezone(tz)
        n += 1


def _wall(after: datetime, tz: tzinfo, start: datetime, step: timedelta,
          accept: Any, at: Any) -> Iterator[datetime]:
    """Walks wall-clock slots from ``start``; yields ``at(slot)`` for accepted slots."""
    slot, last = start, None
    for _ in range(_SCAN_LIMIT):
        if accept(slot):
            for naive in at(slot):
                t = _localize(naive, tz)
                if t > after and (last is None or t > last):
                    last = t
                    yield t
        slot += step


def _weekday_numbers(values: Any) -> set[int]:
    """Python weekday numbers (Monday 0) from names or cron numbers (Sunday 0 or 7)."""
    out: set[int] = set()
    for v in values or ():
        if isinstance(v, int):
            out.add((v - 1) % 7)
        else:
            out.add(WEEKDAYS.index(str(v).lower()))
    return out


def _rule_times(rule: Any, after: datetime, tz: tzinfo) -> Iterator[datetime]:
    kind = _get(rule, "interval", "days")
    every = max(1, int(_get(rule, "every", 1)))
    hour, minute = int(_get(rule, "at_hour", 0)), int(_get(rule, "at_minute", 0))
    local = after.astimezone(tz).replace(tzinfo=None)
    if kind == "seconds":
        return _absolute(after, every, tz)
    if kind == "minutes":
        return _absolute(after, every * 60, tz)
    if kind == "hours":
        def ok_h(s: datetime) -> bool:
            return ((s.toordinal() - _EPOCH_ORD) * 24 + s.hour) % every == 0
        start = local.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        return _wall(after, tz, start, timedelta(hours=1), ok_h,
                     lambda s: [s.replace(minute=minute)])
    day0 = datetime.combine(local.date(), datetime.min.time()) - timedelta(days=1)
    if kind == "days":
        return _wall(after, tz, day0, timedelta(days=1),
                     lambda s: (s.toordinal() - _EPOCH_ORD) % every == 0,
                     lambda s: [s.replace(hour=hour, minute=minute)])
    if kind == "weeks":
        days = _weekday_numbers(_get(rule, "at_weekdays", ["monday"])) or {0}
        return _wall(after, tz, day0, timedelta(days=1),
                     lambda s: s.weekday() in days and (
                         (s.toordinal() - _EPOCH_MONDAY_ORD) // 7) % every == 0,
                     lambda s: [s.replace(hour=hour, minute=minute)])
    if kind == "months":
        dom = int(_get(rule, "at_day_of_month", 1))
        return _months(after, tz, local, every, dom, hour, minute)
    if kind == "cron":
        return _cron(str(_get(rule, "cron_expression", "")), after, tz)
    raise ValueError(f"unknown schedule interval '{kind}'")


def _months(after: datetime, tz: tzinfo, local: datetime, every: int, dom: int, hour: int,
            minute: int) -> Iterator[datetime]:
    y, m = local.year, local.month
    for _ in range(_SCAN_LIMIT):
        if (y * 12 + m - 1) % every == 0:
            d = min(dom, monthrange(y, m)[1])
            t = _localize(datetime.combine(date(y, m, d), time(hour, minute)), tz)
            if t > after:
                yield t
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _cron(expr: str, after: datetime, tz: tzinfo) -> Iterator[datetime]:
    expr = " ".join(expr.split())
    it = croniter(expr, after.astimezone(tz), second_at_beginning=len(expr.split(" ")) == 6)
    while True:
        try:
            t = it.get_next(datetime)
        except CroniterBadDateError:  # e.g. '0 0 30 2 *' never happens
            return
        yield t.astimezone(tz)


def next_fire_times(params: Any, after: datetime, count: int = 1, *,
                    default_timezone: str = "UTC") -> list[datetime]:
    """The next ``count`` times (strictly after ``after``) any rule of ``params`` fires.

    Args:
        params: the Schedule Trigger's parameters (model or dict with ``rules`` and
            ``timezone``).
        after: a timezone-aware instant.
        count: how many fire times to return.
        default_timezone: used when ``params`` has no timezone (the workflow's timezone).

    Returns:
        Ascending, distinct, timezone-aware datetimes in the schedule's timezone.
    """
    if after.tzinfo is None:
        raise ValueError("'after' must be timezone-aware")
    tz = resolve_timezone(_get(params, "timezone", ""), default_timezone)
    rules = _get(params, "rules", None) or []
    merged = heapq.merge(*(_rule_times(r, after, tz) for r in rules))
    out: list[datetime] = []
    for t in itertools.islice(merged, count * max(1, len(rules))):
        if not out or t > out[-1]:
            out.append(t)
        if len(out) >= count:
            break
    return out
