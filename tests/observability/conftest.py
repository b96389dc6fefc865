"""Fixtures of the operations tests: a real Redis, a SQLite database shared with real
``aura scheduler``, ``aura worker`` and API processes (see :mod:`tests.support.env`),
and old executions with bulky data to prune."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.env import Env, queue_env, wait_until  # noqa: F401 (re-exported)
from tests.support.fixtures import (  # noqa: F401 (fixtures)
    redis_for_tests,
    redis_url,
    reset_process_state,
)


def old_executions(store: Any, count: int, *, days_ago: float, payload: int = 2000) -> list[str]:
    """``count`` succeeded executions that finished ``days_ago`` days ago, each with a
    node run carrying ``payload`` bytes of input and output."""
    finished = datetime.now(UTC) - timedelta(days=days_ago)
    items = [{"json": {"blob": "x" * payload}}]
    ids = []
    for _ in range(count):
        ex = store.executions.create(status="running")
        store.executions.record_node_run(
            ex.id, "Start", output={"main": items}, input={"main": items}
        )
        store.executions.set_status(ex.id, "succeeded", finished_at=finished)
        ids.append(ex.id)
    return ids


def execution_ids(store: Any) -> set[str]:
    return {e.id for e in store.executions.list(limit=10_000)[0]}
