"""Writes from many threads at once: no "database is locked", no lost or doubled versions.

The executor records from worker threads, and on SQLite the studio and workers are
separate processes writing one file; two Store objects on one file stand in for that.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from engine.errors import ConflictError
from engine.store import ExecutionStatus, Store
from tests.store.factories import make_workflow

S = ExecutionStatus
THREADS = 8
RUNS = 15


def _run_executions(store: Store, workflow_id: str, n: int) -> None:
    for i in range(n):
        ex = store.executions.create(workflow_id=workflow_id)
        store.executions.set_status(ex.id, S.RUNNING, worker_id=f"w{i}")
        for node in ("Start", "Send"):
            store.executions.record_node_run(ex.id, node, output={"main": [{"json": {}}]})
        store.executions.heartbeat(ex.id)
        store.executions.finish(ex.id, S.SUCCEEDED)


def _save_versions(store: Store, workflow_id: str, tag: str, n: int) -> None:
    for i in range(n):
        store.workflows.save(workflow_id, make_workflow("Busy", f"{tag}-{i}"))


def test_many_threads_write_at_once(store: Store) -> None:
    wf = store.workflows.create(make_workflow("Busy"))
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(_run_executions, store, wf.id, RUNS) for _ in range(THREADS)]
        futures += [pool.submit(_save_versions, store, wf.id, f"t{t}", 10) for t in range(3)]
        for f in futures:
            f.result()  # re-raises any "database is locked"
    _, total = store.executions.list(workflow_id=wf.id, status="succeeded", limit=1)
    assert total == THREADS * RUNS
    assert all(len(store.executions.node_runs(e.id)) == 2
               for e in store.executions.list(limit=20)[0])
    numbers = [v.number for v in store.workflows.versions(wf.id)]
    assert numbers == list(range(31, 0, -1))  # 1 + 3 x 10 saves, no gaps, no doubles
    assert store.workflows.get(wf.id).version_counter == 31


def test_two_stores_on_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with Store(url) as first, Store(url) as second:
        wf = first.workflows.create(make_workflow("Shared"))
        with ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(_run_executions, s, wf.id, RUNS)
                       for s in (first, second) * 3]
            for f in futures:
                f.result()
        assert second.executions.list(limit=1)[1] == 6 * RUNS


def test_racing_workers_claim_each_execution_once(store: Store) -> None:
    ids = [store.executions.create().id for _ in range(10)]

    def claim(worker: str) -> list[str]:
        won = []
        for ex_id in ids:
            try:
                store.executions.set_status(ex_id, S.RUNNING, worker_id=worker)
                won.append(ex_id)
            except ConflictError:
                pass
        return won

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(claim, [f"w{i}" for i in range(4)]))
    claimed = [x for won in results for x in won]
    assert sorted(claimed) == sorted(ids)  # every execution claimed, none twice
    for worker, won in zip([f"w{i}" for i in range(4)], results, strict=True):
        assert all(store.executions.get(x).worker_id == worker for x in won)
