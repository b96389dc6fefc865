"""Fixtures of the schedule and durable-wait tests: a real Redis, a real database (a
SQLite file, or a PostgreSQL database for tests marked with ``both_databases``) shared
with real ``aura scheduler`` and ``aura worker`` processes, short timings. The
environment itself lives in :mod:`tests.support.env`."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.env import (  # noqa: F401 (re-exported for the test modules; a hook)
    FAST_ENV,
    Env,
    both_databases,
    pytest_generate_tests,
    queue_env,
    wait_until,
)
from tests.support.fixtures import (  # noqa: F401 (fixtures)
    redis_for_tests,
    redis_url,
    reset_process_state,
)

# a worker and a scheduler share the 2 cores with the test: a longer heartbeat timeout
TRIGGER_ENV = {"AURA_QUEUE_HEARTBEAT_TIMEOUT_S": "5"}


@pytest.fixture(scope="module")
def db(request: pytest.FixtureRequest) -> str:
    """The database of this module's environment: ``sqlite`` unless parametrized."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="module")
def env(db: str, tmp_path_factory: pytest.TempPathFactory, redis_url: str  # noqa: F811
        ) -> Iterator[Env]:
    """A module-wide environment on ``db`` (no process started)."""
    with queue_env(db, tmp_path_factory.mktemp(f"triggers-{db}") / "data", redis_url,
                   **TRIGGER_ENV) as e:
        yield e


@pytest.fixture
def clean(env: Env) -> Iterator[Env]:
    """The environment, with every process this test started killed afterwards, every
    workflow deactivated and the Redis keys of the scheduler gone."""
    yield env
    env.stop_all()
    from engine.services.store import get_store

    store = get_store()
    for rec in store.workflows.list(active=True, limit=500)[0]:
        store.workflows.set_active(rec.id, False)
    import redis

    r = redis.Redis.from_url(env.redis_url)
    for key in r.scan_iter("aura:scheduler:*"):
        r.delete(key)


def schedule_workflow(name: str, *, every_s: int = 1, cron: str | None = None,
                      timezone: str = "", nodes: list[dict[str, Any]] | None = None
                      ) -> dict[str, Any]:
    """A Schedule Trigger (every N seconds, or a cron rule) followed by ``nodes``."""
    rule: dict[str, Any] = ({"interval": "cron", "cron_expression": cron} if cron
                            else {"interval": "seconds", "every": every_s})
    all_nodes = [{"name": "Every", "type": "core.schedule_trigger",
                  "parameters": {"rules": [rule], "timezone": timezone}}, *(nodes or [])]
    conns = [{"source": a["name"], "target": b["name"]}
             for a, b in itertools.pairwise(all_nodes)]
    return {"name": name, "nodes": all_nodes, "connections": conns}


def create_active(definition: dict[str, Any]) -> str:
    """Stores and activates a workflow (publishing its draft)."""
    from engine.services.store import get_store
    from engine.triggers import webhooks

    wid = str(get_store().workflows.create(definition).id)
    webhooks.activate(wid)
    return wid


def schedule_slots(workflow_id: str) -> list[str]:
    """The slot timestamps of the workflow's schedule executions (one per execution)."""
    from engine.services.store import get_store

    rows, _ = get_store().executions.list(workflow_id=workflow_id, mode="schedule",
                                          limit=500)
    return sorted(str((r.trigger or {}).get("slot")) for r in rows)
