"""Slot arithmetic of the scheduler (pure): timezone-aware cron, late and missed slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.sdk import get_catalog
from engine.triggers.schedules import execution_id_for, latest_slot, plan_slots
from nodes.core.schedule_trigger.schedule import next_fire_times

# the scheduler finds a node's slots through the hook its spec declares
CATALOG = get_catalog()
FIRE_TIMES = CATALOG.hook(CATALOG.get("core.schedule_trigger"), "fire_times")

PARIS = ZoneInfo("Europe/Paris")
NINE_WEEKDAYS = {
    "rules": [{"interval": "cron", "cron_expression": "0 9 * * 1-5"}],
    "timezone": "Europe/Paris",
}
EVERY_MINUTE = {"rules": [{"interval": "minutes", "every": 1}]}


def test_cron_fires_at_local_wall_time_across_dst() -> None:
    """9:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer (DST on 30 March)."""
    after = datetime(2025, 3, 27, 12, tzinfo=UTC)  # Thursday
    times = next_fire_times(NINE_WEEKDAYS, after, 3)
    assert [t.astimezone(UTC).strftime("%a %d %H:%M") for t in times] == [
        "Fri 28 08:00",
        "Mon 31 07:00",
        "Tue 01 07:00",
    ]
    assert all(t.astimezone(PARIS).hour == 9 for t in times)


def test_plan_fires_the_due_cron_slot_in_its_timezone() -> None:
    cursor = datetime(2025, 3, 31, 6, 59, 50, tzinfo=UTC)
    now = datetime(2025, 3, 31, 7, 0, 0, 400_000, tzinfo=UTC)
    slots, new_cursor = plan_slots(
        NINE_WEEKDAYS, cursor, now, fire_times=FIRE_TIMES, grace_s=20, policy="skip"
    )
    assert [s.isoformat() for s in slots] == ["2025-03-31T09:00:00+02:00"]
    assert new_cursor == now
    # nothing more until the next morning
    assert (
        plan_slots(
            NINE_WEEKDAYS,
            now,
            now + timedelta(hours=23),
            fire_times=FIRE_TIMES,
            grace_s=20,
            policy="skip",
        )[0]
        == []
    )


def test_the_workflow_timezone_is_the_default() -> None:
    rule = {"rules": [{"interval": "days", "at_hour": 9}]}
    after = datetime(2025, 1, 6, 12, tzinfo=UTC)
    t = next_fire_times(rule, after, 1, default_timezone="America/New_York")[0]
    assert t.isoformat() == "2025-01-06T09:00:00-05:00"


def test_late_slots_within_the_grace_all_fire() -> None:
    """A leader failover: the slots of the gap fire late, none is lost."""
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    slots, _ = plan_slots(
        EVERY_MINUTE,
        t0,
        t0 + timedelta(minutes=3, seconds=5),
        grace_s=600,
        policy="skip",
        fire_times=FIRE_TIMES,
    )
    assert [s.minute for s in slots] == [1, 2, 3]


def test_missed_slots_are_skipped_by_default() -> None:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    now = t0 + timedelta(hours=5, seconds=40)  # the 5:00 slot is 40 s late: missed
    slots, cursor = plan_slots(
        EVERY_MINUTE, t0, now, fire_times=FIRE_TIMES, grace_s=30, policy="skip"
    )
    assert slots == [] and cursor == now


def test_fire_once_catches_up_the_most_recent_missed_slot() -> None:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    now = t0 + timedelta(hours=5, seconds=40)
    slots, _ = plan_slots(
        EVERY_MINUTE, t0, now, fire_times=FIRE_TIMES, grace_s=30, policy="fire_once"
    )
    assert slots == [t0 + timedelta(hours=5)]


def test_fire_once_then_the_slots_inside_the_grace() -> None:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    now = t0 + timedelta(hours=1, minutes=2, seconds=10)
    slots, _ = plan_slots(
        EVERY_MINUTE, t0, now, fire_times=FIRE_TIMES, grace_s=150, policy="fire_once"
    )
    # 0:59 is the last missed slot (more than 150 s late); 1:00-1:02 are only late
    assert [s - t0 for s in slots] == [timedelta(minutes=m) for m in (59, 60, 61, 62)]


def test_latest_slot_after_a_long_outage_is_cheap_and_right() -> None:
    every_second = {"rules": [{"interval": "seconds", "every": 1}]}
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    before = t0 + timedelta(days=200, milliseconds=500)
    assert latest_slot(every_second, t0, before, fire_times=FIRE_TIMES) == t0 + timedelta(days=200)
    monthly = {"rules": [{"interval": "months", "at_day_of_month": 15}]}
    assert latest_slot(monthly, t0, before, fire_times=FIRE_TIMES) == datetime(
        2024, 7, 15, tzinfo=UTC
    )
    assert latest_slot(monthly, t0, t0 + timedelta(days=3), fire_times=FIRE_TIMES) is None


def test_the_schedule_trigger_declares_its_fire_times_hook() -> None:
    assert FIRE_TIMES is next_fire_times


def test_execution_ids_are_one_per_slot() -> None:
    t = datetime(2025, 1, 1, 9, tzinfo=PARIS)
    same = execution_id_for("wf", "Every", t.astimezone(UTC))
    assert execution_id_for("wf", "Every", t) == same and len(same) == 32
    assert execution_id_for("wf", "Every", t + timedelta(seconds=1)) != same
    assert execution_id_for("wf", "Other", t) != same
