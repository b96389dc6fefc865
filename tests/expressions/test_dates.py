"""DateTime: timezone-aware arithmetic, formatting, parts, comparisons."""

from __future__ import annotations

import pytest

from engine.errors import ExpressionError
from tests.expressions.support import ev


@pytest.mark.parametrize(("expr", "expected"), [
    ("$now.iso()", "2024-03-10T13:30:15+01:00"),
    ("$now.toISOString()", "2024-03-10T13:30:15+01:00"),
    ("$now.format('%Y-%m-%d %H:%M')", "2024-03-10 13:30"),
    ("$now.format('%A %d %B')", "Sunday 10 March"),
    ("$now.year", 2024), ("$now.month", 3), ("$now.day", 10), ("$now.hour", 13),
    ("$now.minute", 30), ("$now.second", 15), ("$now.millisecond", 0),
    ("$now.weekday", 7), ("$now.weekday_name", "Sunday"), ("$now.month_name", "March"),
    ("$now.day_of_year", 70), ("$now.timestamp", 1710073815.0),
    ("$now.to_millis()", 1710073815000),
    ("$now.plus(1, 'day').iso()", "2024-03-11T13:30:15+01:00"),
    ("$now.plus(2, 'hours').hour", 15), ("$now.plus(90, 'minutes').format('%H:%M')", "15:00"),
    ("$now.minus(1, 'week').day", 3), ("$now.plus(1, 'months').month", 4),
    ("$now.add(1, 'y').year", 2025), ("$now.subtract(30, 's').second", 45),
    ("$now.plus(500, 'ms').millisecond", 500),
    ("date('2024-01-31').plus(1, 'month').iso()", "2024-02-29T00:00:00+01:00"),
    ("date('2024-02-29').plus(1, 'year').day", 28),
    ("date('2024-05-17').plus(1, 'quarter').month", 8),
    ("$now.start_of('day').iso()", "2024-03-10T00:00:00+01:00"),
    ("$now.startOf('month').iso()", "2024-03-01T00:00:00+01:00"),
    ("$now.start_of('week').iso()", "2024-03-04T00:00:00+01:00"),
    ("$now.start_of('year').iso()", "2024-01-01T00:00:00+01:00"),
    ("$now.start_of('quarter').month", 1), ("$now.start_of('hour').minute", 0),
    ("$now.end_of('day').iso()", "2024-03-10T23:59:59.999000+01:00"),
    ("$now.endOf('month').day", 31),
    ("$now.to_timezone('America/New_York').hour", 8),
    ("$now.setZone('UTC').iso()", "2024-03-10T12:30:15+00:00"),
    ("$now.diff(date('2024-03-09T13:30:15+01:00'), 'hours')", 24.0),
    ("$now.diff($today, 'minutes')", 810.5 - 0.25),
    ("date('2024-03-31').diff(date('2024-01-31'), 'months')", 2),
    ("date('2024-01-01').diff(date('2024-03-01'), 'months')", -2),
    ("date('2025-03-01').diff(date('2024-03-02'), 'years')", 0),
    ("$now > date('2024-01-01')", True),
    ("$now == date('2024-03-10T12:30:15Z')", True),
    ("date($json.when) < $now", True),
    ("[d.day for d in sorted([date('2024-01-03'), date('2024-01-01')])]", [1, 3]),
    ("max([date('2024-01-03'), date('2024-01-05')]).day", 5),
    ("date('2024-01-01T10:00:00+05:00').timezone", "UTC+05:00"),
    ("date(1700000000000).year", 2023),
    ("$now.toString()", "2024-03-10T13:30:15+01:00"),
    ("str($now)", "2024-03-10T13:30:15+01:00"),
])
def test_dates(expr: str, expected: object) -> None:
    assert ev("{{ " + expr + " }}") == expected


def test_day_arithmetic_keeps_wall_clock_across_dst() -> None:
    # Europe/Berlin switched to summer time on 2024-03-31 at 02:00
    assert ev("{{ date('2024-03-30T12:00:00').plus(1, 'day').iso() }}") == \
        "2024-03-31T12:00:00+02:00"
    assert ev("{{ date('2024-03-30T12:00:00').plus(24, 'hours').iso() }}") == \
        "2024-03-31T13:00:00+02:00"


def test_dates_leave_expressions_as_iso_text() -> None:
    assert ev("{{ {'at': $now, 'list': [$today]} }}") == {
        "at": "2024-03-10T13:30:15+01:00", "list": ["2024-03-10T00:00:00+01:00"]}


@pytest.mark.parametrize("expr", [
    "$now.plus(1, 'fortnight')", "$now.plus('1', 'day')", "$now.plus(1.5, 'months')",
    "$now.plus(10000, 'years')", "$now.format(5)", "$now.format('%' * 300)",
    "$now.diff('2024-01-01')", "$now.to_timezone('Nowhere/City')", "$now < 5",
    "$now + 1", "$now.nope", "$now._dt", "date('2024-13-45')", "date('x' * 100)",
])
def test_date_errors(expr: str) -> None:
    with pytest.raises(ExpressionError):
        ev("{{ " + expr + " }}")
