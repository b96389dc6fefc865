"""Runs in the process that started them (the editor's "Run here", the API's inline
runs, ``aura run``) heartbeat like a worker's, so the crash reaper that every worker runs
never takes a long one for a crashed run. The reaper here runs all along with a
heartbeat limit much shorter than the runs (as a worker sharing the database would)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fixtures import reset_process_state

pytestmark = pytest.mark.slow

LIMIT_S = 0.6
"""The reaper's heartbeat limit: a run without a beat for this long is 'crashed'."""
NAP_S = 4 * LIMIT_S

NAPPING = {
    "name": "Naps",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
        {
            "name": "Nap",
            "type": "core.wait",
            "position": [300, 0],
            "parameters": {"amount": NAP_S, "unit": "seconds"},
        },
    ],
    "connections": [{"source": "Start", "target": "Nap"}],
}


@pytest.fixture
def short_heartbeats(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AURA_REDIS_URL", raising=False)
    monkeypatch.setenv("AURA_QUEUE_HEARTBEAT_INTERVAL_S", str(LIMIT_S / 4))
    monkeypatch.setenv("AURA_QUEUE_HEARTBEAT_TIMEOUT_S", str(LIMIT_S))
    reset_process_state()
    yield
    reset_process_state()


class Reaper(threading.Thread):
    """Calls the workers' crash reaper over and over until stopped; remembers what it
    declared crashed."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.crashed: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        from engine.runtimes import reap_crashed

        while not self.stopping.wait(LIMIT_S / 6):
            self.crashed += [eid for eid, _ in reap_crashed(older_than_s=LIMIT_S)]

    def __enter__(self) -> Reaper:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.join(10)


def _editor_here() -> str:
    from engine.auth.types import Principal
    from engine.executor import ExecutionHooks
    from studio.logic import runner

    owner = Principal(user_id=None, email=None, role="owner")
    return runner.run_canvas(owner, NAPPING, None, ExecutionHooks()).id


def _api_inline_wait() -> str:
    from studio.api.runner import InlineRunner

    return InlineRunner().run(definition=NAPPING, mode="manual").execution_id


def _api_inline_background() -> str:
    from studio.api.runner import InlineRunner

    r = InlineRunner()
    eid = r.submit(definition=NAPPING, mode="manual")
    r.close()  # waits for the background run to end
    return eid


def _cli_inline() -> str:
    from engine.graph import load_workflow
    from engine.services import runs

    return runs.run_workflow(load_workflow(NAPPING), mode="cli").id


DOORS: dict[str, Callable[[], str]] = {
    "editor-here": _editor_here,
    "api-inline-wait": _api_inline_wait,
    "api-inline-background": _api_inline_background,
    "cli-inline": _cli_inline,
}


@pytest.mark.parametrize("door", list(DOORS))
def test_a_long_run_here_is_never_reaped(short_heartbeats: None, door: str) -> None:
    from engine.services.store import get_store

    with Reaper() as reaper:
        eid = DOORS[door]()
    row = get_store().executions.get(eid)
    assert (row.status, reaper.crashed) == ("succeeded", [])
    assert [(r.node_name, r.status) for r in get_store().node_runs.list(eid)] == [
        ("Start", "succeeded"),
        ("Nap", "succeeded"),
    ]


def test_the_reaper_does_take_a_run_that_stopped_beating(short_heartbeats: None) -> None:
    """The control: the same reaper ends a running execution nobody beats for."""
    from engine.services.store import get_store
    from tests.support.env import wait_until

    store = get_store()
    row: Any = store.executions.create(definition=NAPPING, status="running", worker_id="gone:1")
    with Reaper() as reaper:
        wait_until(lambda: reaper.crashed, timeout=30, what="the reaper to act")
    assert reaper.crashed == [row.id]
    assert store.executions.get(row.id).status == "crashed"


def test_an_unreachable_database_skips_agent_heartbeats_without_stopping_them(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The agent host's watch thread beats for every run it hosts: a database that is
    briefly unreachable (a PostgreSQL restart) costs one beat, not the thread."""
    import engine.store.current as current
    from engine.runtimes.agent_host import AgentHost
    from engine.store._db import DatabaseUnavailable

    def unreachable() -> Any:
        raise DatabaseUnavailable("Cannot use the database: connection refused.")

    monkeypatch.setattr(current, "get_store", unreachable)
    host = AgentHost(1)
    host._beat({"run-1": threading.Event()})  # would raise out of the watch loop before
    assert "heartbeats skipped" in caplog.text
