"""The queue runtime end to end: real Redis, real worker processes, one SQLite file."""

from __future__ import annotations

import itertools
import os
import signal
import time
from pathlib import Path

import pytest

from engine.errors import ConflictError
from tests.runtime.conftest import (
    Env,
    both_databases,
    descendants,
    set_node,
    status_of,
    store_workflow,
    wait_node,
    wait_until,
    workflow,
)

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def workers(env: Env) -> Env:
    """Two long-running forking worker processes shared by this module's tests."""
    env.worker("--processes", "2", shared=True)
    return env


def test_submit_runs_on_a_worker_and_records_node_runs(workers: Env) -> None:
    from engine.runtimes import wait_for
    from engine.services.store import get_store
    from tests.support.runs import submit

    wid = store_workflow(workflow(set_node()))
    eid = submit(workflow_id=wid, input_items=None)
    row = wait_for(eid, timeout_s=30)
    assert row.status == "succeeded", (row.error, workers.logs())
    assert row.worker_id and row.finished_at is not None
    runs = get_store().node_runs.list(eid)
    assert [(r.node_name, r.status) for r in runs] == [("Start", "succeeded"), ("Set", "succeeded")]


def test_ad_hoc_definition_runs_its_snapshot(workers: Env) -> None:
    from engine.runtimes import wait_for
    from engine.sdk.items import Item
    from engine.services.store import get_store
    from tests.support.runs import submit

    eid = submit(definition=workflow(set_node("Copy")), input_items=[Item(json={"n": 7})])
    row = wait_for(eid, timeout_s=30)
    assert row.status == "succeeded"
    out = get_store().node_runs.list(eid)[-1].output
    assert out["main"][0]["json"]["n"] == 7


def test_inline_runtime_needs_no_worker(env: Env) -> None:
    from engine.services.store import get_store
    from tests.support.runs import submit

    eid = submit(definition=workflow(set_node()), runtime="inline")
    row = get_store().executions.get(eid)
    assert row.status == "succeeded" and row.worker_id


@both_databases
def test_cancel_a_running_execution(workers: Env) -> None:
    from engine.runtimes import cancel, wait_for
    from engine.services.store import get_store
    from tests.support.runs import submit

    eid = submit(definition=workflow(wait_node(30)))
    # running, and past Start: the Wait node is sleeping (cancellably)
    wait_until(lambda: get_store().node_runs.list(eid), what="Start done", env=workers)
    started = time.monotonic()
    cancel(eid)
    row = wait_for(eid, timeout_s=10)
    assert row.status == "cancelled"
    assert time.monotonic() - started < 5
    wait = get_store().node_runs.list(eid)[-1]
    assert (wait.node_name, wait.status) == ("Wait", "cancelled")
    with pytest.raises(ConflictError, match="nothing to cancel"):
        cancel(eid)


@both_databases
def test_workflow_timeout_fails_the_execution(workers: Env) -> None:
    from engine.runtimes import wait_for
    from tests.support.runs import submit

    eid = submit(definition=workflow(wait_node(30), timeout_s=1))
    row = wait_for(eid, timeout_s=15)
    assert row.status == "failed"
    assert row.error and row.error["type"] == "ExecutionTimeout"


@both_databases
def test_nan_and_infinity_are_recorded_as_null(workers: Env) -> None:
    """Items with NaN or Infinity (a Code node, a lenient JSON API) are recorded as null,
    as JSON.stringify does, on both databases (PostgreSQL refused the whole execution)."""
    from engine.runtimes import wait_for
    from engine.sdk.items import Item
    from engine.services.store import get_store
    from tests.support.runs import submit

    values = {"nan": float("nan"), "inf": float("inf"), "list": [1.0, float("-inf")], "ok": 2.5}
    eid = submit(definition=workflow(set_node("Copy")), input_items=[Item(json=values)])
    row = wait_for(eid, timeout_s=30)
    assert row.status == "succeeded", (row.error, workers.logs())
    expected = {"nan": None, "inf": None, "list": [1.0, None], "ok": 2.5}
    assert row.input[0]["json"] == expected
    out = get_store().node_runs.list(eid)[-1].output
    assert out["main"][0]["json"] == expected


def test_wait_for_times_out_while_it_keeps_running(workers: Env) -> None:
    from engine.runtimes import WaitTimeout, cancel
    from tests.support.runs import submit

    eid = submit(definition=workflow(wait_node(30)))
    with pytest.raises(WaitTimeout, match="still"):
        from engine.runtimes import wait_for

        wait_for(eid, timeout_s=0.3)
    cancel(eid)


def test_cancel_queued_and_retry(env: Env) -> None:
    """Queued executions are cancelled at once; retry makes a new linked execution."""
    from engine.runtimes import cancel
    from engine.services.executions import retry_spec, start
    from engine.services.store import get_store
    from tests.support.runs import submit

    eid = submit(definition=workflow(set_node()), queue="nobody-listens")
    cancel(eid)
    row = get_store().executions.get(eid)
    assert row.status == "cancelled"
    new = start(retry_spec(eid, "inline")).id
    again = get_store().executions.get(new)
    assert (again.retry_of, again.attempt, again.status) == (eid, 2, "succeeded")
    with pytest.raises(ConflictError, match="only failed"):
        retry_spec(new)


def test_concurrency_limit_queue_runs_one_at_a_time(workers: Env) -> None:
    from engine.runtimes import wait_for
    from tests.support.runs import submit

    wid = store_workflow(workflow(wait_node(0.6), concurrency=1, concurrency_overflow="queue"))
    ids = [submit(workflow_id=wid) for _ in range(3)]
    rows = [wait_for(i, timeout_s=30) for i in ids]
    assert [r.status for r in rows] == ["succeeded"] * 3, workers.logs()
    spans = sorted((r.started_at, r.finished_at) for r in rows)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end, f"executions overlapped: {spans}"


def test_concurrency_limit_drop_refuses_extra_executions(workers: Env) -> None:
    from engine.runtimes import cancel, wait_for
    from tests.support.runs import submit

    wid = store_workflow(workflow(wait_node(30), concurrency=1, concurrency_overflow="drop"))
    first = submit(workflow_id=wid)
    wait_until(lambda: status_of(first) == "running", what="running", env=workers)
    with pytest.raises(ConflictError, match="concurrency limit is 1"):
        submit(workflow_id=wid)
    cancel(first)
    assert wait_for(first, timeout_s=10).status == "cancelled"


def test_published_version_runs_for_triggers(workers: Env) -> None:
    from engine.runtimes import wait_for
    from engine.services.store import get_store
    from tests.support.runs import submit

    store = get_store()
    wid = store_workflow(workflow(set_node("Published")))
    store.workflows.publish(wid)
    store.workflows.save(wid, workflow(set_node("Draft")))
    trig = submit(workflow_id=wid, mode="trigger")
    manual = submit(workflow_id=wid)
    assert wait_for(trig, 30).status == wait_for(manual, 30).status == "succeeded"
    assert store.node_runs.list(trig)[-1].node_name == "Published"
    assert store.node_runs.list(manual)[-1].node_name == "Draft"


def test_killed_work_horse_is_crashed_at_once(workers: Env) -> None:
    """kill -9 of the process running an execution (a forked horse): RQ reports it and
    the execution is crashed without waiting for the heartbeat timeout."""
    from engine.runtimes import wait_for
    from tests.support.runs import submit

    eid = submit(definition=workflow(wait_node(30)))
    wait_until(lambda: status_of(eid) == "running", what="running", env=workers)
    supervisor = workers.shared[0].pid
    # the horse is the grandchild of the supervisor (supervisor -> worker -> horse)
    horses = wait_until(
        lambda: [p for p in descendants(supervisor) if p not in _children(supervisor)], what="horse"
    )
    for pid in horses:
        os.kill(pid, signal.SIGKILL)
    row = wait_for(eid, timeout_s=2.5)  # well under the 3 s heartbeat timeout
    assert row.status == "crashed"
    assert "killed by signal 9" in row.error["message"]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]
