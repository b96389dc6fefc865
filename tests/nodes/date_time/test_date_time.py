"""Date & Time: time-dependent operations (checked by properties) and the full option set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.sdk.testing import NodeHarness


def _has_expressions() -> bool:
    try:
        from engine.expressions import evaluate_value  # noqa: F401
    except ImportError:
        return False
    return True


needs_expressions = pytest.mark.skipif(
    not _has_expressions(), reason="the expression engine is not there yet"
)


def run(params: dict[str, Any], input: Any = None, **kw: Any) -> list[dict[str, Any]]:
    res = NodeHarness("core.date_time").run(parameters=params, input=input or [{}], **kw)
    assert res.error is None, res.error
    return res.json()


def one(params: dict[str, Any], **kw: Any) -> Any:
    [out] = run(params, **kw)
    return next(iter(v for k, v in out.items()))


def test_current_date_is_now_in_the_workflow_timezone() -> None:
    before = datetime.now(UTC)
    value = one({"operation": "current_date"}, timezone="Asia/Tokyo")
    after = datetime.now(UTC)
    dt = datetime.fromisoformat(value)
    assert dt.utcoffset() == timedelta(hours=9)
    assert before - timedelta(seconds=1) <= dt <= after + timedelta(seconds=1)


def test_current_date_without_time_is_local_midnight() -> None:
    value = one(
        {"operation": "current_date", "include_time": False, "timezone": "America/New_York"}
    )
    dt = datetime.fromisoformat(value)
    assert (dt.hour, dt.minute, dt.second, dt.microsecond) == (0, 0, 0, 0)
    assert dt.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))
    assert dt.date() == datetime.now(UTC).astimezone(dt.tzinfo).date()


def test_keywords_today_and_tomorrow() -> None:
    today = datetime.fromisoformat(one({"operation": "round", "date": "now", "round_unit": "day"}))
    tomorrow = datetime.fromisoformat(one({"operation": "format", "date": "tomorrow"}))
    assert tomorrow - today == timedelta(days=1)
    assert one({"operation": "format", "date": "today"}) == today.isoformat()


def test_hours_move_absolute_time_across_dst() -> None:
    # 01:30 + 1 hour on the night clocks go forward in Berlin is 03:30 local.
    assert (
        one(
            {
                "operation": "add",
                "date": "2024-03-31T01:30:00",
                "duration": 1,
                "unit": "hours",
                "timezone": "Europe/Berlin",
            }
        )
        == "2024-03-31T03:30:00+02:00"
    )
    assert one(
        {
            "operation": "difference",
            "date": "2024-03-31T00:00:00",
            "end_date": "2024-04-01T00:00:00",
            "units": ["days"],
            "timezone": "Europe/Berlin",
        }
    ) == {"days": 1}
    assert one(
        {
            "operation": "difference",
            "date": "2024-03-31T00:00:00",
            "end_date": "2024-04-01T00:00:00",
            "units": ["hours"],
            "timezone": "Europe/Berlin",
        }
    ) == {"hours": 23}


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("milliseconds", "2024-01-31T10:00:00.500+00:00"),
        ("seconds", "2024-01-31T10:00:30+00:00"),
        ("weeks", "2024-07-31T10:00:00+00:00"),
        ("quarters", "2031-10-31T10:00:00+00:00"),
        ("years", "2054-01-31T10:00:00+00:00"),
    ],
)
def test_add_units(unit: str, expected: str) -> None:
    amount = {"milliseconds": 500, "seconds": 30, "weeks": 26, "quarters": 31, "years": 30}[unit]
    assert (
        one({"operation": "add", "date": "2024-01-31T10:00:00Z", "duration": amount, "unit": unit})
        == expected
    )


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("iso", "2024-01-31T13:45:07+01:00"),
        ("date", "2024-01-31"),
        ("time", "13:45:07"),
        ("datetime", "2024-01-31 13:45:07"),
        ("rfc2822", "Wed, 31 Jan 2024 13:45:07 +0100"),
        ("http", "Wed, 31 Jan 2024 12:45:07 GMT"),
        ("unix_s", 1706705107),
        ("unix_ms", 1706705107000),
        ("us", "01/31/2024"),
        ("eu", "31/01/2024"),
        ("long", "January 31, 2024"),
        ("full", "Wednesday, January 31, 2024 1:45 PM"),
    ],
)
def test_format_presets(fmt: str, expected: Any) -> None:
    assert (
        one(
            {
                "operation": "format",
                "date": "2024-01-31T12:45:07Z",
                "format": fmt,
                "timezone": "Europe/Berlin",
            }
        )
        == expected
    )


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("yyyy-MM-dd'T'HH:mm:ss.SSSZZ", "2024-07-04T09:05:03.120+02:00"),
        ("yy M d H m s", "24 7 4 9 5 3"),
        ("MMMM MMM LL EEE cccc", "July Jul 07 Thu Thursday"),
        ("hh:mm a, q qq, W WW, o ooo, E", "09:05 AM, 3 03, 27 27, 186 186, 4"),
        ("z ZZZ Z", "Europe/Berlin +0200 +2"),
        ("'it''s' yyyy", "it's 2024"),
        ("X x", "1720076703 1720076703120"),
    ],
)
def test_luxon_tokens(pattern: str, expected: str) -> None:
    assert (
        one(
            {
                "operation": "format",
                "date": "2024-07-04T07:05:03.120Z",
                "format": "custom",
                "custom_format": pattern,
                "timezone": "Europe/Berlin",
            }
        )
        == expected
    )


@pytest.mark.parametrize(
    ("text", "kw", "expected"),
    [
        ("01/02/2024", {}, "2024-01-02T00:00:00+00:00"),
        ("01/02/2024", {"day_first": True}, "2024-02-01T00:00:00+00:00"),
        ("Wed, 31 Jan 2024 13:45:00 +0100", {}, "2024-01-31T12:45:00+00:00"),
        ("31 January 2024 1:45pm", {}, "2024-01-31T13:45:00+00:00"),
        ("1706705107000", {}, "2024-01-31T12:45:07+00:00"),
        ("1706705107", {"input_format": "unix_s"}, "2024-01-31T12:45:07+00:00"),
        ("1706705107", {"input_format": "unix_ms"}, "1970-01-20T18:05:05.107+00:00"),
        ("2024-01-31T13:45:00", {"timezone": "+05:30"}, "2024-01-31T13:45:00+05:30"),
    ],
)
def test_parsing(text: str, kw: dict[str, Any], expected: str) -> None:
    assert one({"operation": "format", "date": text, **kw}) == expected


def test_iso_input_format_is_strict() -> None:
    res = NodeHarness("core.date_time").run(
        parameters={"operation": "format", "date": "31 Jan 2024", "input_format": "iso"}, input=[{}]
    )
    assert res.error is not None and "as ISO 8601" in res.error.message


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("year", 2024),
        ("quarter", 3),
        ("month", 7),
        ("week", 27),
        ("day", 4),
        ("day_of_week", 4),
        ("day_of_year", 186),
        ("hour", 9),
        ("minute", 5),
        ("second", 3),
        ("millisecond", 120),
        ("timestamp", 1720076703),
        ("timestamp_ms", 1720076703120),
        ("month_name", "July"),
        ("weekday_name", "Thursday"),
        ("timezone", "Europe/Berlin"),
        ("offset_minutes", 120),
    ],
)
def test_extract_parts(part: str, expected: Any) -> None:
    assert (
        one(
            {
                "operation": "extract",
                "date": "2024-07-04T07:05:03.120Z",
                "part": part,
                "timezone": "Europe/Berlin",
            }
        )
        == expected
    )


@pytest.mark.parametrize(
    ("unit", "mode", "expected"),
    [
        ("second", "down", "2024-05-15T10:37:12+00:00"),
        ("minute", "up", "2024-05-15T10:38:00+00:00"),
        ("hour", "nearest", "2024-05-15T11:00:00+00:00"),
        ("day", "end", "2024-05-15T23:59:59.999+00:00"),
        ("week", "down", "2024-05-13T00:00:00+00:00"),
        ("month", "up", "2024-06-01T00:00:00+00:00"),
        ("quarter", "down", "2024-04-01T00:00:00+00:00"),
        ("year", "nearest", "2024-01-01T00:00:00+00:00"),
    ],
)
def test_round_modes(unit: str, mode: str, expected: str) -> None:
    assert (
        one(
            {
                "operation": "round",
                "date": "2024-05-15T10:37:12.400Z",
                "round_unit": unit,
                "round_mode": mode,
            }
        )
        == expected
    )


def test_round_up_on_boundary_stays() -> None:
    assert (
        one(
            {
                "operation": "round",
                "date": "2024-05-01T00:00:00Z",
                "round_unit": "month",
                "round_mode": "up",
            }
        )
        == "2024-05-01T00:00:00+00:00"
    )


def test_round_step_only_for_time_units() -> None:
    res = NodeHarness("core.date_time").run(
        parameters={
            "operation": "round",
            "date": "2024-05-01",
            "round_unit": "day",
            "round_step": 2,
        },
        input=[{}],
    )
    assert res.error is not None and "Round step" in res.error.message


@needs_expressions
def test_per_item_dates_and_continue_on_error() -> None:
    res = NodeHarness("core.date_time").run(
        parameters={"operation": "extract", "date": "{{ $json.d }}", "part": "year"},
        input=[{"d": "2021-06-01"}, {"d": "garbage"}, {"d": 1_700_000_000}],
        on_error="continue",
    )
    out = res.json()
    assert out[0]["datePart"] == 2021 and out[2]["datePart"] == 2023
    assert "cannot read 'garbage'" in out[1]["error"]["message"]


def test_difference_all_units() -> None:
    value = one(
        {
            "operation": "difference",
            "date": "2023-01-01T00:00:00Z",
            "end_date": "2024-03-09T05:06:07.008Z",
            "units": [
                "milliseconds",
                "years",
                "months",
                "weeks",
                "days",
                "hours",
                "minutes",
                "seconds",
            ],
        }
    )
    assert value == {
        "years": 1,
        "months": 2,
        "weeks": 1,
        "days": 1,
        "hours": 5,
        "minutes": 6,
        "seconds": 7,
        "milliseconds": 8,
    }
