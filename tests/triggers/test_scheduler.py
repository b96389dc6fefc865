"""The scheduler in this process, on a real Redis and a real SQLite file: activation,
deactivation, the missed-slot policy after an outage, and the fencing of the lock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.triggers import schedules
from engine.triggers._leader import FIRED, NOT_LEADER, STALE_FENCE
from engine.triggers.schedules import LAST_KEY, LOCK_KEY, Scheduler, SchedulerSettings
from tests.triggers.conftest import (
    Env,
    both_databases,
    create_active,
    schedule_slots,
    schedule_workflow,
)

CONFIG = SchedulerSettings(tick_s=0.05, lock_ttl_s=1.5, refresh_s=0.05)


@pytest.fixture
def make(clean: Env) -> Iterator[Any]:
    made: list[Scheduler] = []

    def factory(name: str, config: SchedulerSettings = CONFIG) -> Scheduler:
        s = Scheduler(config=config, identity=name)
        made.append(s)
        return s

    yield factory
    for s in made:
        s.lock.release()


def run_for(sched: Scheduler, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sched.tick()
        time.sleep(0.02)


def test_activation_starts_and_deactivation_stops_firing(make: Any) -> None:
    from engine.triggers import webhooks

    sched = make("A")
    wid = create_active(schedule_workflow("every second"))
    run_for(sched, 2.3)
    fired = schedule_slots(wid)
    assert 2 <= len(fired) <= 3 and len(set(fired)) == len(fired)
    webhooks.deactivate(wid)
    run_for(sched, 0.2)  # the next refresh sees it
    after = len(schedule_slots(wid))
    run_for(sched, 1.5)
    assert len(schedule_slots(wid)) == after
    assert not [s for s in sched.schedules if s.workflow_id == wid]


def test_executions_run_the_published_version_with_the_slot_time(make: Any) -> None:
    from engine.services.store import get_store

    store = get_store()
    wid = create_active(schedule_workflow("published", timezone="Asia/Tokyo"))
    draft = schedule_workflow("published", timezone="Asia/Tokyo")
    draft["nodes"][0]["parameters"]["rules"][0]["every"] = 3600
    store.workflows.save(wid, draft)  # a newer draft must not be what runs
    run_for(make("A"), 1.2)
    rows, _ = store.executions.list(workflow_id=wid, mode="schedule")
    assert rows
    row = rows[0]
    assert row.workflow_version_id == store.workflows.get(wid).published_version_id
    ts = row.input[0]["json"]["timestamp"]
    assert ts.endswith("+09:00") and datetime.fromisoformat(ts).microsecond == 0
    assert row.trigger == {"slot": ts, "node": "Every"}


@pytest.mark.parametrize("policy", ["skip", "fire_once"])
def test_missed_slots_follow_the_policy(make: Any, policy: str) -> None:
    """Every scheduler was down for three hours: an hourly slot (at a minute far from
    now) was missed; ``skip`` drops it, ``fire_once`` fires the most recent one."""
    import redis

    now = datetime.now(UTC)
    minute = (now.minute + 30) % 60
    wid = create_active(schedule_workflow(f"missed {policy}", cron=f"{minute} * * * *"))
    schedules.set_missed_policy(policy, wid)  # type: ignore[arg-type]
    a = make("A")
    a.tick()
    sig = next(s.signature for s in a.schedules if s.workflow_id == wid)
    a.lock.release()  # every scheduler stops...
    r = redis.Redis.from_url(_url())
    r.hset(LAST_KEY, f"{wid}:Every", f"{(now - timedelta(hours=3)).isoformat()} {sig}")
    make("B").tick()  # ...and one starts again
    latest = now.replace(minute=minute, second=0, microsecond=0)
    if latest > now:
        latest -= timedelta(hours=1)
    expected = [latest.isoformat()] if policy == "fire_once" else []
    assert schedule_slots(wid) == expected
    schedules.set_missed_policy(None, wid)


def _url() -> str:
    from engine.config import settings

    return str(settings().redis.url)


def test_a_stale_leader_is_fenced_off(make: Any) -> None:
    import redis

    r = redis.Redis.from_url(_url())
    a, b = make("A"), make("B")
    assert a.lock.acquire() and not b.lock.acquire()
    assert a.lock.fire("aura:scheduler:slot:t:1", 60_000, LAST_KEY, "t", "x") == FIRED
    assert a.lock.fire("aura:scheduler:slot:t:1", 60_000, LAST_KEY, "t", "x") == 0
    # A pauses past its TTL (simulated: its key vanishes); B takes over
    stale_value, stale_fence = a.lock.value, a.lock.fence
    r.delete(LOCK_KEY)
    assert b.lock.acquire() and b.lock.fence == (a.lock.fence or 0) + 1
    assert a.lock.fire("aura:scheduler:slot:t:2", 60_000, LAST_KEY, "t", "x") == NOT_LEADER
    assert not a.lock.held
    assert b.lock.fire("aura:scheduler:slot:t:2", 60_000, LAST_KEY, "t", "x") == FIRED
    # split brain: the lock key says A again, but B has fired with a newer fence
    a.lock.value, a.lock.fence = stale_value, stale_fence
    a.lock._lost.clear()
    r.set(LOCK_KEY, str(stale_value))
    assert a.lock.fire("aura:scheduler:slot:t:3", 60_000, LAST_KEY, "t", "x") == STALE_FENCE


def test_renewal_keeps_the_lock_beyond_its_ttl(make: Any) -> None:
    a, b = make("A"), make("B")
    assert a.lock.acquire()
    time.sleep(2.2)  # > the 1.5 s TTL: only renewal keeps it
    assert a.lock.held and not b.lock.acquire()
    a.lock.release()
    assert b.lock.acquire()


@both_databases
def test_the_database_refuses_a_second_execution_of_one_slot(clean: Env) -> None:
    """Two schedulers in a split brain that both passed the Redis check: the slot's
    execution id is the primary key, so the second is a clear conflict the scheduler
    logs as 'not run' (it was a raw IntegrityError, logged as a scheduler crash)."""
    from engine.errors import ConflictError
    from engine.services.store import get_store
    from engine.triggers.schedules import execution_id_for

    store = get_store()
    wid = create_active(schedule_workflow("split brain"))
    eid = execution_id_for(wid, "Every", datetime(2030, 1, 1, tzinfo=UTC))
    store.executions.create(workflow_id=wid, mode="schedule", id=eid)
    with pytest.raises(ConflictError, match="exists already"):
        store.executions.create(workflow_id=wid, mode="schedule", id=eid)
    assert schedule_slots(wid) == ["None"]  # one row (this one has no slot recorded)
