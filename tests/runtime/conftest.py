"""Fixtures of the queue runtime tests: a real Redis, a real database (a SQLite file, or a
PostgreSQL database for tests marked with ``both_databases``) shared with real worker
processes (``python -m engine worker``), and short heartbeat timings. The environment
itself lives in :mod:`tests.support.env`."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.env import (  # noqa: F401 (re-exported for the test modules; a hook)
    FAST_ENV,
    Env,
    both_databases,
    descendants,
    pytest_generate_tests,
    queue_env,
    wait_until,
)
from tests.support.fixtures import (  # noqa: F401 (fixtures)
    redis_for_tests,
    redis_url,
)
from tests.support.fixtures import reset_process_state as _reset  # noqa: F401

QUEUE_ENV = {k: v for k, v in FAST_ENV.items() if k.startswith("AURA_QUEUE_")}


@pytest.fixture(scope="module")
def db(request: pytest.FixtureRequest) -> str:
    """The database of this module's environment: ``sqlite`` unless parametrized."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="module")
def env(db: str, tmp_path_factory: pytest.TempPathFactory, redis_url: str  # noqa: F811
        ) -> Iterator[Env]:
    """A module-wide queue environment on ``db`` (no worker started)."""
    with queue_env(db, tmp_path_factory.mktemp(f"queue-{db}") / "data", redis_url) as e:
        yield e


@pytest.fixture(autouse=True)
def _stop_test_workers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Workers a test started die with the test, even when it fails."""
    yield
    if "env" in request.fixturenames:
        request.getfixturevalue("env").stop_all()


def workflow(*nodes: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """A linear workflow: a Manual Trigger followed by ``nodes``."""
    all_nodes = [{"name": "Start", "type": "core.manual_trigger"}, *nodes]
    conns = [{"source": a["name"], "target": b["name"]}
             for a, b in itertools.pairwise(all_nodes)]
    return {"name": "queue test", "nodes": all_nodes, "connections": conns,
            "settings": settings}


def set_node(name: str = "Set") -> dict[str, Any]:
    return {"name": name, "type": "core.set", "parameters": {}}


def wait_node(seconds: float, name: str = "Wait") -> dict[str, Any]:
    return {"name": name, "type": "core.wait",
            "parameters": {"amount": seconds, "unit": "seconds"}}


def store_workflow(definition: dict[str, Any]) -> str:
    from engine.services.store import get_store

    return str(get_store().workflows.create(definition).id)


def status_of(execution_id: str) -> str:
    from engine.services.store import get_store

    return str(get_store().executions.get(execution_id).status)
