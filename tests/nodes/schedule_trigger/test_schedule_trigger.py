"""Schedule Trigger: next_fire_times (for the scheduler), validation and the output item."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from engine.sdk.testing import NodeHarness
from nodes.core.schedule_trigger.schedule import cron_error, next_fire_times
from nodes.core.schedule_trigger.spec import ScheduleParams

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def fires(rules: list[dict[str, object]], after: datetime, count: int = 4,
          tz: str = "") -> list[datetime]:
    p = ScheduleParams.model_validate({"rules": rules, "timezone": tz})
    return next_fire_times(p, after, count)


def at(*args: int, tz: ZoneInfo | None = None) -> datetime:
    return datetime(*args, tzinfo=tz or UTC)  # type: ignore[misc]


def test_seconds_and_minutes_align_on_the_period() -> None:
    after = at(2024, 5, 1, 10, 7, 13)
    assert fires([{"interval": "seconds", "every": 30}], after, 2) == [
        at(2024, 5, 1, 10, 7, 30), at(2024, 5, 1, 10, 8, 0)]
    assert fires([{"interval": "minutes", "every": 15}], after, 3) == [
        at(2024, 5, 1, 10, 15), at(2024, 5, 1, 10, 30), at(2024, 5, 1, 10, 45)]


def test_times_are_strictly_after() -> None:
    after = at(2024, 5, 1, 10, 15)
    assert fires([{"interval": "minutes", "every": 15}], after, 1) == [at(2024, 5, 1, 10, 30)]
    assert fires([{"interval": "days", "at_hour": 10, "at_minute": 15}], after, 1) == [
        at(2024, 5, 2, 10, 15)]


def test_hours_at_minute_in_timezone() -> None:
    got = fires([{"interval": "hours", "every": 6, "at_minute": 30}], at(2024, 5, 1, 0, 0),
                tz="Europe/Berlin")
    assert [t.strftime("%H:%M") for t in got] == ["06:30", "12:30", "18:30", "00:30"]
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(hours=2) for t in got)


def test_days_every_n_is_steady_across_months() -> None:
    got = fires([{"interval": "days", "every": 2, "at_hour": 9}], at(2024, 1, 30), 4)
    gaps = {(b - a) for a, b in itertools.pairwise(got)}
    assert gaps == {timedelta(days=2)}
    assert all(t.hour == 9 for t in got)


def test_weeks_on_weekdays_every_other_week() -> None:
    got = fires([{"interval": "weeks", "every": 2, "at_weekdays": ["monday", "fri"],
                  "at_hour": 8}], at(2024, 4, 1), 6)
    assert [t.strftime("%a") for t in got] == ["Mon", "Fri", "Mon", "Fri", "Mon", "Fri"]
    assert got[2] - got[0] == timedelta(weeks=2)


def test_cron_numbers_for_weekdays() -> None:
    p = ScheduleParams.model_validate({"rules": [{"interval": "weeks",
                                                  "at_weekdays": [0, 6, 7]}]})
    assert p.rules[0].at_weekdays == ["sunday", "saturday", "sunday"]


def test_months_clip_to_last_day() -> None:
    got = fires([{"interval": "months", "at_day_of_month": 31, "at_hour": 12}],
                at(2024, 1, 31, 13), 3)
    assert [t.date().isoformat() for t in got] == ["2024-02-29", "2024-03-31", "2024-04-30"]
    got = fires([{"interval": "months", "every": 3}], at(2024, 2, 1), 3)
    assert [t.month for t in got] == [4, 7, 10]


def test_cron_five_and_six_fields_and_macros() -> None:
    after = at(2024, 5, 3, 17, 0, tz=NEW_YORK)  # a Friday
    got = fires([{"interval": "cron", "cron_expression": "0 9 * * 1-5"}], after, 2,
                tz="America/New_York")
    assert got == [at(2024, 5, 6, 9, 0, tz=NEW_YORK), at(2024, 5, 7, 9, 0, tz=NEW_YORK)]
    got = fires([{"interval": "cron", "cron_expression": "*/20 * * * * *"}],
                at(2024, 5, 1, 0, 0, 5), 3)
    assert [t.second for t in got] == [20, 40, 0]
    assert fires([{"interval": "cron", "cron_expression": "@daily"}], at(2024, 5, 1, 5), 1) \
        == [at(2024, 5, 2)]


def test_several_rules_merge_without_duplicates() -> None:
    got = fires([{"interval": "hours", "every": 1}, {"interval": "minutes", "every": 30},
                 {"interval": "cron", "cron_expression": "0 * * * *"}], at(2024, 5, 1), 4)
    assert got == [at(2024, 5, 1, 0, 30), at(2024, 5, 1, 1), at(2024, 5, 1, 1, 30),
                   at(2024, 5, 1, 2)]


def test_dst_gap_and_overlap() -> None:
    # 2024-03-31 Berlin: 02:00 -> 03:00. A daily 02:30 fires at 03:30 that day.
    got = fires([{"interval": "days", "at_hour": 2, "at_minute": 30}],
                at(2024, 3, 30, 12, tz=BERLIN), 3, tz="Europe/Berlin")
    assert [t.strftime("%d %H:%M %z") for t in got] == [
        "31 03:30 +0200", "01 02:30 +0200", "02 02:30 +0200"]
    # 2024-10-27 Berlin: 03:00 -> 02:00. A daily 02:30 fires once.
    got = fires([{"interval": "days", "at_hour": 2, "at_minute": 30}],
                at(2024, 10, 26, 12, tz=BERLIN), 2, tz="Europe/Berlin")
    assert got[1].astimezone(UTC) - got[0].astimezone(UTC) == timedelta(days=1, hours=1)
    assert got[0].utcoffset() == timedelta(hours=2)  # the first 02:30, before clocks go back


def test_dict_params_and_default_timezone() -> None:
    got = next_fire_times({"rules": [{"interval": "days", "at_hour": 9}]}, at(2024, 4, 30, 12), 1,
                          default_timezone="Asia/Tokyo")
    assert got[0].isoformat() == "2024-05-01T09:00:00+09:00"


def test_after_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_fire_times(ScheduleParams(), datetime(2024, 1, 1), 1)


def test_impossible_cron_yields_nothing() -> None:
    assert fires([{"interval": "cron", "cron_expression": "0 0 30 2 *"}], at(2024, 1, 1)) == []


@pytest.mark.parametrize(("expr", "message"), [
    ("", "is empty"), ("* * *", "has 3 fields"), ("61 * * * *", "is not valid"),
    ("* * * * * * * *", "has 8 fields"), ("0 25 * * *", "is not valid"),
])
def test_cron_errors(expr: str, message: str) -> None:
    assert message in (cron_error(expr) or "")
    with pytest.raises(ValidationError, match=message):
        ScheduleParams.model_validate({"rules": [{"interval": "cron", "cron_expression": expr}]})


def test_other_validation() -> None:
    with pytest.raises(ValidationError, match="the limit is 10,080 minutes"):
        ScheduleParams.model_validate({"rules": [{"interval": "minutes", "every": 20000}]})
    with pytest.raises(ValidationError, match="at least one weekday"):
        ScheduleParams.model_validate({"rules": [{"interval": "weeks", "at_weekdays": []}]})
    with pytest.raises(ValidationError, match="unknown timezone"):
        ScheduleParams(timezone="Nowhere/City")
    assert ScheduleParams().rules[0].interval == "days"


def test_manual_run_describes_now_in_the_workflow_timezone() -> None:
    before = datetime.now(UTC)
    res = NodeHarness("core.schedule_trigger").run({}, None, timezone="Asia/Kolkata")
    after = datetime.now(UTC)
    assert res.error is None
    [item] = res.json()
    t = datetime.fromisoformat(item["timestamp"])
    assert before - timedelta(seconds=1) <= t <= after + timedelta(seconds=1)
    assert t.utcoffset() == timedelta(hours=5, minutes=30)
    assert item["Timezone"] == "Asia/Kolkata (UTC+05:30)"
    assert item["Hour"] == f"{t.hour:02d}" and item["Day of week"] == t.strftime("%A")
    assert item["Readable time"].endswith(("am", "pm"))
