"""``aura run --queue`` as a user drives it: a real Redis, a real ``aura worker`` process,
one SQLite file shared between this process (the CLI) and the worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app
from tests.support.env import FAILING_WORKFLOW as FAILING
from tests.support.env import LONG_WAIT_WORKFLOW as LONG
from tests.support.env import Env, wait_until, worker_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.redis

runner = CliRunner()

GOOD = {
    "name": "greet",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {
            "name": "Hello",
            "type": "core.set",
            "parameters": {"assignments": [{"name": "greeting", "value": "hi from a worker"}]},
        },
    ],
    "connections": [{"source": "Start", "target": "Hello"}],
}

SLOW = {
    "name": "slow",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Pause", "type": "core.wait", "parameters": {"amount": 0.5, "unit": "seconds"}},
    ],
    "connections": [{"source": "Start", "target": "Pause"}],
}


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[Env]:
    """One queue environment and one long-running worker process for the module."""
    with worker_env(tmp_path_factory.mktemp("cli-queue") / "data", redis_url) as e:
        yield e


def aura(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, data: Any) -> str:
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return str(p)


def test_queue_run_shows_each_node_and_exits_zero(env: Env, tmp_path: Path) -> None:
    r = aura("run", write(tmp_path, "wf.json", GOOD), "--queue", "--input", '{"n": 1}')
    assert r.exit_code == 0, r.output + env.logs()
    assert "Start" in r.output and "Hello" in r.output
    assert "hi from a worker" in r.output and "Result: succeeded" in r.output


def test_queue_run_json_has_every_node_and_ran_on_a_worker(env: Env, tmp_path: Path) -> None:
    from engine.services.store import get_store

    r = aura("run", write(tmp_path, "wf.json", GOOD), "--runtime", "queue", "--json")
    assert r.exit_code == 0, r.output + env.logs()
    data = json.loads(r.stdout)
    assert data["status"] == "succeeded"
    assert [n["node"] for n in data["node_runs"]] == ["Start", "Hello"]
    hello = data["node_runs"][1]
    assert hello["outputs"]["main"][0]["json"]["greeting"] == "hi from a worker"
    row = get_store().executions.get(data["id"])
    assert row.worker_id and str(os.getpid()) not in row.worker_id.split(":")[-1]


def test_queue_run_of_a_failing_workflow_exits_one_naming_the_node(
    env: Env, tmp_path: Path
) -> None:
    r = aura("run", write(tmp_path, "bad.json", FAILING), "--queue")
    assert r.exit_code == 1, r.output + env.logs()
    assert "Error in node 'Stop'" in r.output and "out of stock" in r.output


def test_queue_run_of_a_stored_workflow_by_name(env: Env, tmp_path: Path) -> None:
    from engine.services.store import get_store

    get_store().workflows.create({**GOOD, "name": "stored greet"})
    r = aura("run", "stored greet", "--queue")
    assert r.exit_code == 0, r.output + env.logs()
    assert "hi from a worker" in r.output


def test_no_wait_prints_an_id_that_later_finishes(env: Env, tmp_path: Path) -> None:
    from engine.services.store import get_store

    r = aura("run", write(tmp_path, "slow.json", SLOW), "--queue", "--no-wait")
    assert r.exit_code == 0, r.output
    eid = r.stdout.strip().splitlines()[0]
    store = get_store()
    assert store.executions.get(eid).status in ("queued", "running")
    wait_until(
        lambda: store.executions.get(eid).status == "succeeded",
        what="the --no-wait execution to succeed",
        env=env,
    )
    shown = aura("execution", "show", eid)
    assert "Pause" in shown.output and "succeeded" in shown.output


def test_queue_options_that_cannot_apply_are_clear(env: Env, tmp_path: Path) -> None:
    path = write(tmp_path, "wf.json", GOOD)
    r = aura("run", path, "--no-wait")
    assert r.exit_code == 2 and "needs --queue" in r.output
    r = aura("run", path, "--runtime", "moon")
    assert r.exit_code == 2 and "'inline' or 'queue'" in r.output


def test_a_run_up_to_a_node_runs_on_a_worker(env: Env, tmp_path: Path) -> None:
    from engine.services.store import get_store

    more = {
        **GOOD,
        "nodes": [*GOOD["nodes"], {"name": "After", "type": "core.set"}],
        "connections": [*GOOD["connections"], {"source": "Hello", "target": "After"}],
    }
    r = aura("run", write(tmp_path, "to.json", more), "--queue", "--to", "Hello", "--json")
    assert r.exit_code == 0, r.output + env.logs()
    eid = json.loads(r.stdout)["id"]
    row = get_store().executions.get(eid)
    assert row.worker_id and row.worker_id.split(":")[-1] != str(os.getpid())
    assert [n.node_name for n in get_store().executions.node_runs(eid)] == ["Start", "Hello"]


def test_ctrl_c_cancels_the_queued_execution(env: Env, tmp_path: Path) -> None:
    from engine.services.store import get_store

    path = write(tmp_path, "long.json", LONG)
    out = tmp_path / "cli.log"
    with open(out, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "engine", "run", path, "--queue"],
            env={**os.environ, **env.vars},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        store = get_store()

        def running() -> bool:
            # on a worker (node runs are written when the run ends, so this is the sign)
            rows = [r for r in store.executions.list(limit=5)[0] if r.workflow_name == LONG["name"]]
            return bool(rows) and rows[0].status == "running"

        # the module's worker may still be starting when this test runs first, on a
        # loaded machine: a deadline for that, not a time this test measures
        wait_until(running, timeout=120, what="the worker to start the long run", env=env)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 1, out.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    text = out.read_text()
    assert "cancelling" in text and "cancelled" in text
    row = next(r for r in store.executions.list(limit=5)[0] if r.workflow_name == LONG["name"])
    assert row.status == "cancelled"


def test_queue_without_redis_says_what_to_set(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.fixtures import reset_process_state

    monkeypatch.delenv("AURA_REDIS_URL", raising=False)
    reset_process_state()
    try:
        r = aura("run", write(tmp_path, "wf.json", GOOD), "--queue")
    finally:
        reset_process_state()
    assert r.exit_code == 2
    assert "AURA_REDIS_URL" in r.output and "aura up" in r.output
