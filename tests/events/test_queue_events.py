"""On the queue runtime: a forking worker process publishes the run's events (the
horse flushes them before it exits) after the submitter's ``execution.queued``."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import events
from tests.events.conftest import collect, finished, linear, set_node, store_workflow

pytestmark = pytest.mark.redis


@pytest.fixture
def worker(redis_env: str, data_dir: Path) -> Iterator[str]:
    """One forking ``aura worker`` on a private queue; yields the queue name."""
    from engine.services.store import get_store

    get_store()  # migrate before the worker opens the database
    queue = f"events-{os.getpid()}-{id(data_dir)}"
    env = {**os.environ, "AURA_REDIS_URL": redis_env, "AURA_DATA_DIR": str(data_dir)}
    with (data_dir / "worker.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "engine", "worker", "--queues", queue, "--fork"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield queue
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_a_queued_run_streams_from_the_worker(worker: str, data_dir: Path) -> None:
    from tests.support.runs import submit

    wid = store_workflow(linear("Orders", set_node()))
    with events.subscribe(workflow_id=wid) as sub:
        eid = submit(workflow_id=wid, published=False, queue=worker)
        try:
            got = collect(sub, finished, timeout=30)
        except AssertionError:
            print((data_dir / "worker.log").read_text())
            raise
    assert [e["type"] for e in got] == [
        "execution.queued",
        "execution.started",
        "node.started",
        "node.finished",
        "node.started",
        "node.finished",
        "execution.finished",
    ]
    assert {e["execution_id"] for e in got} == {eid}
    assert got[0]["queue"] == worker and got[-1]["status"] == "succeeded"
    pids = {e["id"].split("-")[1] for e in got}
    assert len(pids) == 2  # queued here, the rest in the worker's horse
