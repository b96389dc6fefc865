"""Real ``aura scheduler`` processes on one Redis and one database: several of them
fire each slot exactly once, and a standby takes over when the leader is killed."""

from __future__ import annotations

import itertools
import signal
from datetime import datetime, timedelta

import redis

from engine.triggers.schedules import LOCK_KEY
from tests.triggers.conftest import (
    Env,
    both_databases,
    create_active,
    schedule_slots,
    schedule_workflow,
    wait_until,
)


def _assert_each_slot_once(slots: list[str]) -> None:
    times = [datetime.fromisoformat(s) for s in slots]
    assert len(set(slots)) == len(slots), f"a slot fired twice: {slots}"
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(g == timedelta(seconds=1) for g in gaps), f"a slot was skipped: {slots}"


def _leader_pid(r: redis.Redis) -> int | None:
    raw = r.get(LOCK_KEY)
    return int(raw.decode().rsplit(":", 1)[1]) if raw else None


@both_databases
def test_two_schedulers_fire_each_slot_exactly_once(clean: Env) -> None:
    a, b = clean.spawn("scheduler", "-v"), clean.spawn("scheduler", "-v")
    r = redis.Redis.from_url(clean.redis_url)
    wait_until(lambda: _leader_pid(r), 20, "a leader", clean)
    wid = create_active(schedule_workflow("twice scheduled"))
    wait_until(lambda: len(schedule_slots(wid)) >= 5, 20, "five slots", clean)
    assert a.poll() is None and b.poll() is None
    _assert_each_slot_once(schedule_slots(wid))
    assert "not run:" not in clean.logs()  # nobody even tried a slot twice
    # a clean stop hands leadership over at once, not after the lock TTL
    leader = _leader_pid(r)
    clean.kill(a if a.pid == leader else b, signal.SIGTERM)  # returns once it has exited
    # released on the way out: the lock is not left to expire in the dead leader's name
    assert _leader_pid(r) != leader, "the stopped leader kept the lock until it expired"
    wait_until(lambda: _leader_pid(r) not in (None, leader), 5, "a new leader", clean)


def test_a_standby_takes_over_when_the_leader_is_killed(clean: Env) -> None:
    procs = {p.pid: p for p in (clean.spawn("scheduler"), clean.spawn("scheduler"))}
    r = redis.Redis.from_url(clean.redis_url)
    leader = wait_until(lambda: _leader_pid(r), 20, "a leader", clean)
    wid = create_active(schedule_workflow("failover"))
    wait_until(lambda: len(schedule_slots(wid)) >= 2, 20, "two slots", clean)
    clean.kill(procs[leader], signal.SIGKILL)
    before = len(schedule_slots(wid))
    new = wait_until(lambda: (_leader_pid(r) or leader) != leader and _leader_pid(r), 10,
                     "a new leader", clean)
    assert new in procs
    wait_until(lambda: len(schedule_slots(wid)) >= before + 3, 20, "slots after failover",
               clean)
    _assert_each_slot_once(schedule_slots(wid))
