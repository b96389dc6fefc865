"""Executions ended outside the executor (cancelled while queued, crashed by the
reaper) still publish ``execution.finished``."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from engine import events
from tests.events.conftest import collect, finished, linear, set_node, store_workflow

pytestmark = pytest.mark.redis


def _queue(data_dir: Path) -> str:
    return f"oob-{os.getpid()}-{id(data_dir)}"  # no worker listens on it


def test_cancelling_a_queued_run_publishes_finished(redis_env: str, data_dir: Path) -> None:
    from engine.runtimes.queue import cancel
    from tests.support.runs import submit

    wid = store_workflow(linear("Cancelled", set_node()))
    with events.subscribe(workflow_id=wid) as sub:
        eid = submit(workflow_id=wid, published=False, queue=_queue(data_dir))
        cancel(eid)
        got = collect(sub, finished, timeout=10)
    end = got[-1]
    assert end["execution_id"] == eid and end["status"] == "cancelled"
    assert end["workflow_id"] == wid and end["workflow_name"] == "Cancelled"
    assert end["mode"] == "manual"
    assert end["error"]["code"] == "cancelled"
    assert "Cancelled while queued" in end["error"]["message"]


def test_crashing_a_running_run_publishes_finished(redis_env: str, data_dir: Path) -> None:
    from engine.runtimes.recovery import crash_execution
    from engine.services.store import get_store
    from tests.support.runs import submit

    wid = store_workflow(linear("Crashed", set_node()))
    eid = submit(workflow_id=wid, published=False, queue=_queue(data_dir))
    get_store().executions.set_status(eid, "running")
    with events.subscribe(execution_id=eid) as sub:
        crash_execution(eid, "secret-free reason " + "x" * 1000)
        got = collect(sub, finished, timeout=10)
    end = got[-1]
    assert end["status"] == "crashed" and end["workflow_id"] == wid
    assert end["error"]["code"] == "crashed"
    assert len(end["error"]["message"]) <= 500
    assert end["started_at"] is not None and end["finished_at"] is not None


def test_publishing_never_raises_without_redis(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.events import publish_execution_finished

    monkeypatch.setenv("AURA_REDIS_URL", "redis://127.0.0.1:1/0")
    events.reset()
    row = SimpleNamespace(
        id="e1",
        workflow_id="w1",
        workflow_name="W",
        mode="manual",
        status="crashed",
        started_at=None,
        finished_at=None,
        error={"code": "crashed", "message": "gone"},
    )
    try:
        publish_execution_finished(row)  # Redis unreachable: dropped, never raised
        events.flush(2.0)
        publish_execution_finished(object(), "crashed")  # a broken row: swallowed
    finally:
        events.reset()
