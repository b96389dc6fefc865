"""Retention: the right executions go, running ones never do, SQLite gives space back."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from engine.store import ExecutionStatus, Store

S = ExecutionStatus
NOW = datetime.now(UTC)


def _finished(store: Store, status: S = S.SUCCEEDED, *, days_ago: float = 0,
              payload: int = 0) -> str:
    ex = store.executions.create(status=S.RUNNING)
    items = [{"json": {"blob": "x" * payload}}] if payload else [{"json": {}}]
    store.executions.record_node_run(ex.id, "Start", output={"main": items},
                                     input={"main": items})
    store.executions.set_status(ex.id, status, finished_at=NOW - timedelta(days=days_ago))
    return ex.id


def _ids(store: Store) -> set[str]:
    return {e.id for e in store.executions.list(limit=1000)[0]}


def test_prune_by_age_deletes_only_old_finished_executions(store: Store) -> None:
    old_ok = _finished(store, days_ago=40)
    old_failed = _finished(store, S.FAILED, days_ago=31)
    recent = _finished(store, days_ago=2)
    running = store.executions.create(status=S.RUNNING).id
    waiting = store.executions.create(status=S.RUNNING).id
    store.executions.set_status(waiting, S.WAITING)
    assert store.prune_executions(max_age=timedelta(days=30)) == 2
    assert _ids(store) == {recent, running, waiting}
    assert store.executions.node_runs(old_ok) == [] == store.executions.node_runs(old_failed)
    # far in the future everything finished is old, yet unfinished ones stay
    assert store.prune_executions(max_age=timedelta(days=1),
                                  now=NOW + timedelta(days=400)) == 1
    assert _ids(store) == {running, waiting}


def test_prune_by_count_keeps_the_newest(store: Store) -> None:
    ids = [_finished(store) for _ in range(5)]
    running = store.executions.create(status=S.RUNNING).id
    assert store.prune_executions(max_count=3) == 3
    assert _ids(store) == {running, ids[3], ids[4]}
    assert store.prune_executions(max_count=3) == 0
    assert store.prune_executions() == 0  # no limits, nothing to do


def test_prune_execution_data_keeps_the_rows(store: Store) -> None:
    old = _finished(store, days_ago=10, payload=100)
    new = _finished(store, payload=100)
    assert store.prune_execution_data(max_age=timedelta(days=7)) == 1
    assert store.prune_execution_data(max_age=timedelta(days=7)) == 0
    pruned, kept = store.executions.get(old), store.executions.get(new)
    assert pruned.data_pruned and not kept.data_pruned
    assert pruned.status == "succeeded" and pruned.finished_at is not None
    [run] = store.executions.node_runs(old)
    assert run.output is None and run.input is None
    assert run.output_counts == {"main": 1} and run.status == "succeeded"
    assert store.executions.node_runs(new)[0].output is not None


def test_sqlite_file_shrinks_after_pruning(sqlite_store: Store) -> None:
    store = sqlite_store
    path = store.engine.url.database
    assert path is not None
    keep = _finished(store, payload=1000)
    for _ in range(150):
        _finished(store, days_ago=90, payload=20_000)
    store.reclaim_space()  # checkpoint: the data is now in the main file
    big = os.path.getsize(path)
    assert big > 3_000_000
    assert store.prune_executions(max_age=timedelta(days=30)) == 150
    small = os.path.getsize(path)
    wal = path + "-wal"
    assert small < big / 5, (big, small)
    assert not os.path.exists(wal) or os.path.getsize(wal) < big / 5
    assert _ids(store) == {keep}
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA freelist_count").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_sqlite_data_pruning_also_gives_space_back(sqlite_store: Store) -> None:
    store = sqlite_store
    path = store.engine.url.database
    assert path is not None
    for _ in range(60):
        _finished(store, days_ago=90, payload=20_000)
    store.reclaim_space()
    big = os.path.getsize(path)
    assert store.prune_execution_data(max_age=timedelta(days=30)) == 60
    assert os.path.getsize(path) < big / 3
    assert len(_ids(store)) == 60
