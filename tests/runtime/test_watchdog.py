"""The watchdog's verdicts on one execution (no processes): what is stuck, and what it
records before the process is killed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.runtime.conftest import Env, set_node, workflow

pytestmark = pytest.mark.redis


def running(**fields: Any) -> str:
    from engine.services.store import get_store

    store = get_store()
    eid = str(store.executions.create(definition=workflow(set_node()), mode="manual").id)
    store.executions.set_status(eid, "running", **fields)
    return eid


def test_a_healthy_run_is_left_alone(env: Env) -> None:
    from engine.runtimes.rq.watchdog import check
    from engine.store.types import utcnow

    eid = running()
    assert check(eid, timeout_s=60, started_at=utcnow()) is None


def test_a_run_past_its_timeout_is_failed_with_a_timeout(env: Env) -> None:
    from engine.runtimes.rq.watchdog import check
    from engine.services.store import get_store
    from engine.store.types import utcnow

    eid = running()
    reason = check(eid, timeout_s=5, started_at=utcnow() - timedelta(seconds=60))
    assert reason == "it ran past its timeout of 5 s"
    row = get_store().executions.get(eid)
    assert (row.status, row.error["code"]) == ("failed", "timeout")


def test_a_run_without_heartbeats_is_crashed(env: Env) -> None:
    from engine.runtimes.rq.watchdog import check
    from engine.services.store import get_store
    from engine.store.types import utcnow

    old = utcnow() - timedelta(seconds=120)
    eid = running(heartbeat_at=old)
    assert check(eid, timeout_s=3600, started_at=old) == "it stopped sending heartbeats"
    row = get_store().executions.get(eid)
    assert row.status == "crashed" and "stopped responding" in row.error["message"]


def test_a_run_ended_elsewhere_is_stuck_only_after_a_grace(env: Env) -> None:
    from engine.runtimes.rq.watchdog import check
    from engine.services.store import get_store
    from engine.store.types import utcnow

    store = get_store()
    fresh = running()
    store.executions.finish(fresh, "crashed", error={"message": "declared crashed"})
    assert check(fresh, timeout_s=3600, started_at=utcnow()) is None  # may be finishing
    ended = running()
    store.executions.set_status(
        ended,
        "crashed",
        error={"message": "declared crashed"},
        finished_at=utcnow() - timedelta(seconds=30),
    )
    assert (
        check(ended, timeout_s=3600, started_at=utcnow()) == "its execution already ended (crashed)"
    )
