"""Executions: life cycle, refused transitions, listing, node runs, crash detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col

from engine.errors import ConflictError, NodeExecutionError, NotFoundError, ValidationError
from engine.store import Execution, ExecutionStatus, NodeRunStatus, Store
from tests.store.factories import make_workflow

S = ExecutionStatus


def test_create_from_a_stored_workflow_fills_name_version_and_project(store: Store) -> None:
    wf = store.workflows.create(make_workflow("Orders"), project_id="p1")
    ex = store.executions.create(workflow_id=wf.id, mode="webhook", input={"q": 1},
                                 trigger={"node": "Start"})
    assert (ex.workflow_name, ex.workflow_version_id, ex.project_id) == \
        ("Orders", wf.current_version_id, "p1")
    got = store.executions.get(ex.id)
    assert (got.status, got.mode, got.input, got.trigger, got.attempt) == \
        ("queued", "webhook", {"q": 1}, {"node": "Start"}, 1)
    assert got.started_at is None and got.created_at.tzinfo is UTC
    with pytest.raises(NotFoundError):
        store.executions.create(workflow_id="missing")


def test_ad_hoc_run_keeps_a_definition_snapshot(store: Store) -> None:
    definition = make_workflow("From file").to_json_dict()
    ex = store.executions.create(definition=definition, mode="cli", status="running")
    got = store.executions.get(ex.id)
    assert got.workflow_id is None and got.workflow_name == "From file"
    assert got.definition == definition and got.started_at is not None


def test_full_life_cycle_with_a_durable_wait(store: Store) -> None:
    ex = store.executions.create()
    run = store.executions.set_status(ex.id, S.RUNNING, worker_id="w1")
    started = run.started_at
    assert run.status == "running" and run.worker_id == "w1" and run.heartbeat_at
    until = datetime.now(ZoneInfo("Asia/Tokyo")) + timedelta(hours=1)
    parked = store.executions.set_status(ex.id, S.WAITING, wait_until=until,
                                         resume_token="tok-1")
    assert parked.wait_until == until and parked.wait_until.tzinfo is UTC  # same instant
    assert parked.resume_token == "tok-1"
    resumed = store.executions.set_status(ex.id, S.RUNNING)
    assert resumed.started_at == started  # the first start is kept
    assert resumed.resume_token is None and resumed.wait_until is None
    done = store.executions.finish(ex.id, S.SUCCEEDED, output_summary={"items": 3})
    assert done.status == "succeeded" and done.finished_at is not None
    assert done.output_summary == {"items": 3}


@pytest.mark.parametrize("final", [S.SUCCEEDED, S.FAILED, S.CANCELLED, S.CRASHED])
def test_a_finished_execution_cannot_change_again(store: Store, final: S) -> None:
    ex = store.executions.create(status=S.RUNNING)
    store.executions.finish(ex.id, final)
    for target in (S.RUNNING, S.QUEUED, S.WAITING, S.SUCCEEDED, S.CANCELLED):
        with pytest.raises(ConflictError, match=f"is {final.value}"):
            store.executions.set_status(ex.id, target)
    assert store.executions.get(ex.id).status == final.value


def test_only_one_worker_can_claim_a_queued_execution(store: Store) -> None:
    ex = store.executions.create()
    store.executions.set_status(ex.id, S.RUNNING, worker_id="w1")
    with pytest.raises(ConflictError, match="is running"):
        store.executions.set_status(ex.id, S.RUNNING, worker_id="w2")
    assert store.executions.get(ex.id).worker_id == "w1"


def test_other_refused_transitions_and_unknown_values(store: Store) -> None:
    ex = store.executions.create()
    with pytest.raises(ConflictError):
        store.executions.set_status(ex.id, S.WAITING)  # queued cannot park
    with pytest.raises(ConflictError):
        store.executions.set_status(ex.id, S.SUCCEEDED)  # nor succeed without running
    with pytest.raises(ValidationError, match="Unknown execution status"):
        store.executions.set_status(ex.id, "exploded")
    with pytest.raises(ValidationError):
        store.executions.finish(ex.id, S.RUNNING)
    with pytest.raises(ValidationError, match="Unknown execution mode"):
        store.executions.create(mode="telepathy")
    with pytest.raises(NotFoundError):
        store.executions.set_status("missing", S.RUNNING)
    with pytest.raises(TypeError):
        store.executions.set_status(ex.id, S.RUNNING, workflow_id="x")


def test_requeue_after_worker_loss_clears_the_worker(store: Store) -> None:
    ex = store.executions.create(status=S.RUNNING, worker_id="w1")
    again = store.executions.set_status(ex.id, S.QUEUED, attempt=2)
    assert (again.status, again.worker_id, again.attempt) == ("queued", None, 2)


def test_errors_are_stored_in_one_shape(store: Store) -> None:
    ex = store.executions.create(status=S.RUNNING)
    err = NodeExecutionError("HTTP 500 from api", node="Fetch", details={"status": 500})
    failed = store.executions.finish(ex.id, S.FAILED, error=err)
    assert store.executions.get(ex.id).error == failed.error == {
        "type": "NodeExecutionError", "message": "HTTP 500 from api", "node": "Fetch",
        "details": {"status": 500}}
    ex2 = store.executions.create(status=S.RUNNING)
    got = store.executions.finish(ex2.id, "failed", error={"message": "boom"})
    assert got.error == {"type": "Error", "message": "boom", "node": None, "details": None}


def test_list_filters_by_workflow_status_mode_and_time(store: Store) -> None:
    a = store.workflows.create(make_workflow("A"))
    b = store.workflows.create(make_workflow("B"))
    ids = []
    for i in range(6):
        ex = store.executions.create(workflow_id=a.id if i % 2 else b.id,
                                     mode="manual" if i < 3 else "schedule")
        ids.append(ex.id)
    store.executions.set_status(ids[0], S.RUNNING)
    store.executions.set_status(ids[1], S.CANCELLED)

    def found(**kw: object) -> list[str]:
        rows, total = store.executions.list(**kw)  # type: ignore[arg-type]
        assert total == len(rows)
        return [r.id for r in rows]

    assert found() == ids[::-1]  # newest first
    assert set(found(workflow_id=a.id)) == {ids[1], ids[3], ids[5]}
    assert found(status="running") == [ids[0]]
    assert set(found(status=[S.RUNNING, S.CANCELLED])) == {ids[0], ids[1]}
    assert set(found(mode="schedule")) == set(ids[3:])
    middle = store.executions.get(ids[2]).created_at
    assert set(found(since=middle)) == set(ids[2:])
    assert set(found(until=middle)) == set(ids[:2])
    rows, total = store.executions.list(limit=4, offset=4)
    assert total == 6 and [r.id for r in rows] == [ids[1], ids[0]]
    with pytest.raises(ValidationError, match="naive"):
        store.executions.list(since=datetime(2020, 1, 1))


def test_running_count_and_stale_heartbeats(store: Store) -> None:
    wf = store.workflows.create(make_workflow())
    fresh = store.executions.create(workflow_id=wf.id, status=S.RUNNING)
    old = store.executions.create(workflow_id=wf.id, status=S.RUNNING)
    store.executions.create(workflow_id=wf.id)  # queued: not running
    assert store.executions.running_for_workflow(wf.id) == 2
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    with store.db.write() as s:  # as if its worker stopped beating ten minutes ago
        s.exec(update(Execution).where(col(Execution.id) == old.id).values(
            heartbeat_at=long_ago))
    assert [e.id for e in store.executions.stale(timedelta(minutes=1))] == [old.id]
    assert store.executions.heartbeat(old.id, worker_id="w2")
    assert store.executions.stale(timedelta(minutes=1)) == []
    store.executions.finish(fresh.id, S.CANCELLED)
    assert not store.executions.heartbeat(fresh.id)  # tells the worker to stop
    assert store.executions.running_for_workflow(wf.id) == 1


def test_node_runs_are_recorded_in_order_and_bounded(store: Store) -> None:
    ex = store.executions.create(status=S.RUNNING)
    items = [{"json": {"i": i}} for i in range(5)]
    first = store.executions.record_node_run(
        ex.id, "Start", node_type="core.manual_trigger", output={"main": items},
        max_items=2, logs=["hello"])
    loop = store.node_runs.record(ex.id, "Loop", status="running", input={"main": items})
    store.node_runs.record(ex.id, "Loop", run_index=1, status=NodeRunStatus.SKIPPED)
    store.node_runs.update(loop.id, status="failed", error=ValueError("bad"),
                           output={"main": [], "error": items[:1]})
    runs = store.executions.node_runs(ex.id)
    assert [(r.node_name, r.run_index, r.position) for r in runs] == \
        [("Start", 0, 0), ("Loop", 0, 1), ("Loop", 1, 2)]
    assert runs[0].output == {"main": items[:2]} and runs[0].output_counts == {"main": 5}
    assert runs[0].logs == ["hello"] and runs[0].id == first.id
    assert runs[1].status == "failed" and runs[1].finished_at is not None
    assert runs[1].input_counts == {"main": 5}
    assert runs[1].output_counts == {"main": 0, "error": 1}
    assert runs[1].error == {"type": "ValueError", "message": "bad", "node": None,
                             "details": None}
    with pytest.raises(NotFoundError):
        store.node_runs.record("missing", "X")
    with pytest.raises(ValidationError):
        store.node_runs.record(ex.id, "X", status="exploded")


def test_delete_refuses_unfinished_and_removes_node_runs(store: Store) -> None:
    ex = store.executions.create(status=S.RUNNING)
    store.executions.record_node_run(ex.id, "Start")
    with pytest.raises(ConflictError, match="cancel it"):
        store.executions.delete(ex.id)
    store.executions.finish(ex.id, S.CANCELLED)
    store.executions.delete(ex.id)
    assert store.executions.node_runs(ex.id) == []
    with pytest.raises(NotFoundError):
        store.executions.get(ex.id)


def test_record_many_writes_all_runs_in_one_go(store: Store) -> None:
    ex = store.executions.create(workflow_name="batch", definition={"nodes": []}, mode="webhook")
    n = store.node_runs.record_many(ex.id, [
        {"node_name": "A", "position": 0, "max_items": 2,
         "output": {"main": [{"json": {"i": i}} for i in range(5)]}},
        {"node_name": "B", "position": 1, "status": "failed", "error": {"message": "no"}},
    ])
    assert n == 2
    runs = store.node_runs.list(ex.id)
    assert [r.node_name for r in runs] == ["A", "B"]
    assert runs[0].output_counts == {"main": 5} and len(runs[0].output["main"]) == 2
    assert runs[1].status == "failed" and runs[1].error["message"] == "no"
    with pytest.raises(NotFoundError):
        store.node_runs.record_many("nope", [{"node_name": "A", "position": 0}])
