"""Fair queues and project quotas, on real Redis (and real workers where they run)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.runtime.conftest import Env, set_node, wait_node, wait_until, workflow

pytestmark = pytest.mark.redis


def project(name: str) -> str:
    from engine.services.store import get_store

    return str(get_store().projects.create(name).id)


def queued_row(project_id: str) -> str:
    from engine.services.store import get_store

    store = get_store()
    wf = store.workflows.create(workflow(set_node()), project_id=project_id)
    return str(store.executions.create(workflow_id=wf.id, mode="manual").id)


def queue_order(name: str) -> list[str]:
    from engine.runtimes import redis_connection

    return [x.decode() for x in redis_connection().lrange(f"rq:queue:{name}", 0, -1)]


def test_a_flood_is_interleaved_with_other_projects(env: Env) -> None:
    """Six runs of A queued, then one of B and one of C: B and C are placed right
    behind A's first run, and a second run of B after A's second, not after the flood."""
    from engine.runtimes.queue import enqueue

    a, b, c = project("A"), project("B"), project("C")
    flood = [queued_row(a) for _ in range(6)]
    for eid in flood:
        enqueue(eid, queue="fair-test")
    b1, c1, b2 = queued_row(b), queued_row(c), queued_row(b)
    for eid in (b1, c1, b2):
        enqueue(eid, queue="fair-test")
    assert queue_order("fair-test") == [flood[0], b1, c1, flood[1], b2, *flood[2:]]


def test_jobs_put_at_the_front_stay_there(env: Env) -> None:
    from engine.runtimes.queue import enqueue

    a = project("A")
    first, urgent = queued_row(a), queued_row(a)
    enqueue(first, queue="front-test")
    enqueue(urgent, queue="front-test", at_front=True)
    later = queued_row(a)
    enqueue(later, queue="front-test")
    assert queue_order("front-test") == [urgent, first, later]


def stored(project_id: str, *nodes: dict[str, Any]) -> str:
    from engine.services.store import get_store

    wf = get_store().workflows.create(workflow(*nodes), project_id=project_id)
    return str(wf.id)


def rows(ids: list[str]) -> list[Any]:
    from engine.services.store import get_store

    store = get_store()
    return [store.executions.get(i) for i in ids]


def all_done(ids: list[str]) -> bool:
    return all(r.status in ("succeeded", "failed", "crashed", "cancelled") for r in rows(ids))


@pytest.mark.slow
def test_another_projects_run_starts_before_most_of_a_flood(env: Env) -> None:
    """One worker; project A queues 20 runs that each hold the worker a while, then
    project B queues one: B's run starts after at most a few of A's, not after all 20."""
    from tests.support.runs import submit

    env.worker("--no-fork")
    heavy = stored(project("Flood"), wait_node(0.3))
    light = stored(project("Other"), set_node())
    flood = [submit(workflow_id=heavy) for _ in range(20)]
    other = submit(workflow_id=light)
    wait_until(lambda: all_done([*flood, other]), timeout=120, what="every run", env=env)
    [b] = rows([other])
    assert b.status == "succeeded"
    before = [r for r in rows(flood) if r.started_at < b.started_at]
    assert len(before) <= 3, f"{len(before)} of the flood started before the other run"


@pytest.mark.slow
def test_a_project_never_runs_more_than_its_quota(env: Env) -> None:
    """Two workers, project A's quota set to 1: A's four runs never overlap (the
    extra ones are held back, then released), while B's run uses the second worker."""
    from rq import Worker

    from engine.runtimes.quotas import load, set_quota
    from engine.services.store import get_store
    from tests.support.runs import submit

    store = get_store()
    a, b = project("Quota one"), project("Free")
    set_quota(store, a, 1)
    since = datetime.now(UTC) - timedelta(seconds=1)
    env.worker("--no-fork", "--processes", "2")
    wait_until(
        lambda: (
            len(
                [
                    w
                    for w in Worker.all(connection=redis())
                    if w.birth_date and w.birth_date >= since
                ]
            )
            >= 2
        ),
        timeout=120,
        what="two workers",
        env=env,
    )
    slow_a = stored(a, wait_node(0.5))
    runs = [submit(workflow_id=slow_a) for _ in range(4)]
    held = wait_until(
        lambda: next(p.held for p in load(store, redis()) if p.project_id == a),
        what="a held run",
        env=env,
    )
    assert held >= 1
    other = submit(workflow_id=stored(b, wait_node(0.5)))
    wait_until(lambda: all_done([*runs, other]), timeout=120, what="every run", env=env)
    done = sorted(rows(runs), key=lambda r: r.started_at)
    assert [r.status for r in done] == ["succeeded"] * 4
    for earlier, later in itertools.pairwise(done):
        assert later.started_at >= earlier.finished_at, "two runs of A overlapped"
    [o] = rows([other])
    assert o.status == "succeeded" and o.started_at < done[-1].started_at


def redis() -> Any:
    from engine.runtimes import redis_connection

    return redis_connection()
