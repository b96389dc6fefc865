"""Fair queues and project quotas, on real Redis (and real workers where they run)."""

from __future__ import annotations

import pytest

from tests.runtime.conftest import Env, set_node, workflow

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
