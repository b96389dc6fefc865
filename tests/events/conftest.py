"""Fixtures of the live-events tests: a private data directory with either the session's
real Redis (``redis_env``) or no Redis at all (``local_env``), and workflow builders."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

MARKER = "ITEM-DATA-7f3e"
"""A value that lives only in items: it must never appear in an event."""


def _reset() -> None:
    from engine import events
    from engine.config import reset_settings
    from engine.runtimes._redis import reset_connections
    from engine.services.store import reset_store

    events.reset()
    reset_settings()
    reset_store()
    reset_connections()


@pytest.fixture
def redis_env(data_dir: Path, redis_url: str,  # noqa: F811
              monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """AURA_REDIS_URL set to the session's Redis; fresh store, connections and bus."""
    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    _reset()
    yield redis_url
    _reset()


@pytest.fixture
def local_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No Redis configured: events use the in-process bus."""
    monkeypatch.delenv("AURA_REDIS_URL", raising=False)
    _reset()
    yield
    _reset()


def linear(name: str, *nodes: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """Manual Trigger → ``nodes`` in a line."""
    all_nodes = [{"name": "Start", "type": "core.manual_trigger"}, *nodes]
    conns = [{"source": a["name"], "target": b["name"]}
             for a, b in itertools.pairwise(all_nodes)]
    return {"name": name, "nodes": all_nodes, "connections": conns, "settings": settings}


def set_node(name: str = "Set", **values: Any) -> dict[str, Any]:
    """A Set node assigning ``values`` (default: a value holding :data:`MARKER`)."""
    values = values or {"copied": f"{{{{ $json.secret }}}}-{MARKER}"}
    return {"name": name, "type": "core.set", "parameters": {
        "assignments": [{"name": k, "value": v} for k, v in values.items()]}}


def fail_node(message: str, name: str = "Fail") -> dict[str, Any]:
    return {"name": name, "type": "core.stop_and_error",
            "parameters": {"message": message}}


def store_workflow(definition: dict[str, Any]) -> str:
    from engine.services.workflows import import_definition

    return str(import_definition(definition)["id"])


def collect(sub: Any, until: Callable[[dict[str, Any]], bool], timeout: float = 10.0
            ) -> list[dict[str, Any]]:
    """Events from a subscription up to and including the first one ``until`` accepts."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ev = sub.get(0.2)
        if ev is None:
            continue
        got.append(ev)
        if until(ev):
            return got
    raise AssertionError(f"timed out; got {[e['type'] for e in got]}")


def finished(ev: dict[str, Any]) -> bool:
    return ev["type"] == "execution.finished"
