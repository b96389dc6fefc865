"""No execution can hold a worker: real workers on real Redis, real stuck nodes.

A node that never returns (installed through a real ``aura.nodes`` entry point and
approved by the operator, see :mod:`tests.support.stuck_nodes`) is killed once it is past
its timeout or has stopped heartbeating, its execution says why, and the same worker takes
the next job.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.conftest import Env, set_node, wait_until, workflow

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(env: Env, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The stuck node package, installed for this process and the workers, and approved
    by the operator (a trusted wheel's nodes load only once approved)."""
    from typer.testing import CliRunner

    from engine.cli import app
    from engine.sdk.catalog import get_catalog
    from tests.support.stuck_nodes import install

    path = install(tmp_path_factory.mktemp("site"))
    approve = ["packages", "trust", "wheel", "stuck-nodes", "1.0", "--owner-approved"]
    result = CliRunner().invoke(app, approve, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    get_catalog(reload=True)
    yield path
    sys.path.remove(str(path))
    get_catalog(reload=True)


def stuck(kind: str, **settings: Any) -> dict[str, Any]:
    return workflow({"name": "Stuck", "type": f"stuck.{kind}", "parameters": {}}, **settings)


@pytest.fixture
def no_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Job timeouts without the usual 30 s margin (they are computed on submission)."""
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_QUEUE_TIMEOUT_MARGIN_S", "0")
    reset_settings()


def start_worker(env: Env, site: Path, *args: str) -> None:
    env.worker(*args, PYTHONPATH=f"{site}:{Path.cwd()}", AURA_QUEUE_TIMEOUT_MARGIN_S="0")


def finished(eid: str) -> Any:
    from engine.services.store import get_store

    row = get_store().executions.get(eid)
    return row if row.status in ("succeeded", "failed", "crashed", "cancelled") else None


@pytest.mark.parametrize("mode", ["--fork", "--no-fork"])
def test_node_swallowing_the_timeout_is_killed_and_the_worker_goes_on(
    env: Env, site: Path, mode: str, no_margin: None
) -> None:
    """A loop that swallows RQ's timeout exception: past the workflow's timeout (2 s)
    its process is killed, the run fails saying so, the next run succeeds."""
    from tests.support.runs import submit

    start_worker(env, site, mode)
    first = submit(definition=stuck("swallow", timeout_s=2))
    second = submit(definition=workflow(set_node()))
    row = wait_until(lambda: finished(first), timeout=120, what="the stuck run", env=env)
    assert row.status == "failed", env.logs()
    assert row.error["code"] == "timeout" and "process was killed" in row.error["message"]
    assert "after 3 s" in row.error["message"]  # its timeout (2 s) + 1: not the default
    nxt = wait_until(lambda: finished(second), timeout=120, what="the next run", env=env)
    assert nxt.status == "succeeded", env.logs()
    if mode == "--fork":  # the same worker process (only its horse died) took it
        assert nxt.worker_id == row.worker_id


@pytest.mark.parametrize("mode", ["--fork", "--no-fork"])
def test_node_holding_the_interpreter_is_crashed_and_killed(
    env: Env, site: Path, mode: str
) -> None:
    """C code holding the interpreter (backtracking ``re``; no workflow timeout, so the
    default of one hour applies): its heartbeat stops, it is declared crashed and its
    process killed; the next run succeeds."""
    from tests.support.runs import submit

    start_worker(env, site, mode)
    first = submit(definition=stuck("hog"))
    second = submit(definition=workflow(set_node()))
    row = wait_until(lambda: finished(first), timeout=120, what="the stuck run", env=env)
    assert row.status == "crashed", env.logs()
    assert (
        "stopped responding" in row.error["message"]
        or "stopped sending heartbeats" in row.error["message"]
    )
    nxt = wait_until(lambda: finished(second), timeout=120, what="the next run", env=env)
    assert nxt.status == "succeeded", env.logs()


def test_catastrophic_regex_in_an_if_answers_on_a_worker(env: Env) -> None:
    """The IF condition that pinned a worker for minutes (``^(a+)+$`` on 64 a's and a
    '!'), in project A: on RE2 it answers (false branch), and project B's run, queued
    right behind it, succeeds on the same worker process."""
    from engine.services.store import get_store
    from tests.support.runs import submit

    store = get_store()
    env.worker("--fork")
    redos = workflow(
        {
            "name": "Check",
            "type": "core.if",
            "parameters": {
                "conditions": [
                    {
                        "left": "a" * 64 + "!",
                        "type": "string",
                        "operation": "regex",
                        "right": "^(a+)+$",
                    }
                ]
            },
        }
    )
    a, b = store.projects.create("Regex A").id, store.projects.create("Plain B").id
    first = submit(workflow_id=store.workflows.create(redos, project_id=a).id)
    second = submit(workflow_id=store.workflows.create(workflow(set_node()), project_id=b).id)
    row = wait_until(lambda: finished(first), timeout=120, what="the regex run", env=env)
    assert row.status == "succeeded", row.error
    [check] = [r for r in store.node_runs.list(first) if r.node_name == "Check"]
    assert check.status == "succeeded"
    nxt = wait_until(lambda: finished(second), timeout=120, what="B's run", env=env)
    assert nxt.status == "succeeded" and nxt.worker_id == row.worker_id
    assert nxt.project_id == b


def test_cancelling_a_run_whose_node_ignores_it_kills_its_process(env: Env, site: Path) -> None:
    """Stop on a run whose node swallows every signal: the run is recorded cancelled
    (by the executor giving up on the node, or the worker killing the horse a few
    seconds later) and the same worker takes the next run."""
    from engine.runtimes import cancel
    from engine.services.store import get_store
    from tests.support.runs import submit

    start_worker(env, site, "--fork")
    first = submit(definition=stuck("swallow"))
    # past Start: the executor no longer looks for a cancel between nodes
    wait_until(lambda: get_store().node_runs.list(first), timeout=120, what="Start", env=env)
    cancel(first)
    second = submit(definition=workflow(set_node()))
    row = wait_until(lambda: finished(first), timeout=120, what="the cancelled run", env=env)
    # the executor may give up on the node itself, or the worker kills the horse
    assert row.status == "cancelled", row.error
    nxt = wait_until(lambda: finished(second), timeout=120, what="the next run", env=env)
    assert nxt.status == "succeeded" and nxt.worker_id == row.worker_id
