"""The queue runtime on PostgreSQL: the app process and real worker processes share one
PostgreSQL database (``AURA_DB_URL``) and a real Redis."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tests.runtime.conftest import (
    Env,
    _reset,
    descendants,
    set_node,
    status_of,
    store_workflow,
    wait_node,
    wait_until,
    workflow,
)
from tests.support.postgres import postgres_database

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture(scope="module")
def pg_env(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Env]:
    """Like ``env``, but the store is a fresh PostgreSQL database and the jobs go to a
    private queue (``AURA_QUEUE_NAME``) that only this module's workers listen to."""
    queue = f"pg-{os.getpid()}"
    with postgres_database() as url, pytest.MonkeyPatch.context() as mp:
        e = Env(tmp_path_factory.mktemp("pgqueue") / "data", redis_url)
        e.data_dir.mkdir(parents=True)
        e.apply(mp)  # (it clears AURA_DB_URL: set it afterwards)
        e.vars.update({"AURA_DB_URL": url, "AURA_QUEUE_NAME": queue})
        mp.setenv("AURA_DB_URL", url)
        mp.setenv("AURA_QUEUE_NAME", queue)
        _reset()
        from engine.services.store import get_store

        store = get_store()
        assert store.engine.dialect.name == "postgresql"  # not the SQLite file
        try:
            yield e
        finally:
            e.stop_workers(shared=True)
            _reset()
    _reset()


@pytest.fixture(autouse=True)
def _stop_pg_workers(pg_env: Env) -> Iterator[None]:
    yield
    pg_env.stop_workers()


def test_submit_runs_on_a_worker_and_records_node_runs(pg_env: Env) -> None:
    from engine.runtimes import submit, wait_for
    from engine.services.store import get_store

    queue = pg_env.vars["AURA_QUEUE_NAME"]
    wid = store_workflow(workflow(set_node()))
    eid = submit(workflow_id=wid, input_items=None, queue=queue)
    worker = pg_env.worker("--queues", queue, "--burst")
    row = wait_for(eid, timeout_s=30)
    assert row.status == "succeeded", (row.error, pg_env.logs())
    assert row.worker_id and row.finished_at is not None
    runs = get_store().node_runs.list(eid)
    assert [(r.node_name, r.status) for r in runs] == [("Start", "succeeded"),
                                                       ("Set", "succeeded")]
    assert worker.wait(15) == 0, pg_env.logs()


def test_killed_worker_is_crashed_and_retried(pg_env: Env) -> None:
    """kill -9 of a whole worker mid-run: a survivor sees the stale heartbeat, marks the
    execution crashed in PostgreSQL and runs the retry."""
    from engine.runtimes import cancel, submit, wait_for
    from engine.services.store import get_store

    queue = pg_env.vars["AURA_QUEUE_NAME"]
    victim = pg_env.worker("--queues", queue, "--no-fork")
    eid = submit(definition=workflow(wait_node(30), retry_on_crash=1), queue=queue)
    wait_until(lambda: status_of(eid) == "running", what="running", env=pg_env)
    for pid in [victim.pid, *descendants(victim.pid)]:
        os.kill(pid, signal.SIGKILL)
    victim.wait(5)
    pg_env.worker("--queues", queue)  # the survivor reaps every second
    row = wait_for(eid, timeout_s=15)
    assert row.status == "crashed", (row.error, pg_env.logs())
    assert "stopped sending heartbeats" in row.error["message"]
    store = get_store()
    retry = wait_until(lambda: [r for r in store.executions.list(status="running")[0]
                                if r.retry_of == eid], what="the retry to run",
                       env=pg_env)[0]
    assert (retry.attempt, retry.mode) == (2, "retry")
    cancel(retry.id)
    assert wait_for(retry.id, timeout_s=10).status == "cancelled"
