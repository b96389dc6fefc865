"""A trusted wheel on a running worker: installed (on its path) but waiting for approval,
its node is unknown there; the owner approves it with the CLI and the same worker runs
the node on its next job, without a restart; revoking unloads it again."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app
from tests.marketplace._helpers import write_wheel
from tests.support.env import Env, queue_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.redis, pytest.mark.slow]
runner = CliRunner()
UNKNOWN = "Unknown node type 'acmew.tag'"
WORKFLOW = {
    "name": "tag",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Tag", "type": "acmew.tag", "parameters": {"word": "approved"}},
    ],
    "connections": [{"source": "Start", "target": "Tag"}],
}


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[Env]:
    with queue_env("sqlite", tmp_path_factory.mktemp("wheel") / "data", redis_url) as e:
        yield e


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    """The wheel, on this process's path (the CLI) and given to the worker."""
    path = tmp_path / "site"
    path.mkdir()
    write_wheel(path, "1.2.0")
    sys.path.insert(0, str(path))
    yield path
    sys.path.remove(str(path))
    for mod in [m for m in sys.modules if m.startswith("acme_wheel_nodes")]:
        del sys.modules[mod]


def aura(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def run_on_worker(tmp_path: Path) -> tuple[int, Any]:
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(WORKFLOW))
    r = aura("run", str(path), "--queue", "--json")
    try:
        return r.exit_code, json.loads(r.stdout)
    except ValueError:
        return r.exit_code, r.output


def test_a_running_worker_loads_the_wheel_once_approved(
    env: Env, site: Path, tmp_path: Path
) -> None:
    from engine.services.store import get_store

    env.worker(PYTHONPATH=f"{site}:{Path.cwd()}")
    code, out = run_on_worker(tmp_path)
    assert code != 0 and UNKNOWN in str(out), out  # waiting for approval

    ok = aura("packages", "trust", "wheel", "acme-nodes", "1.2.0", "--owner-approved")
    assert ok.exit_code == 0, ok.output
    code, out = run_on_worker(tmp_path)
    assert code == 0, str(out) + env.logs()
    assert out["node_runs"][1]["outputs"]["main"][0]["json"]["tag"] == "approved"
    row = get_store().executions.get(out["id"])
    assert row.worker_id  # the worker started before the approval ran it

    gone = aura("packages", "trust", "revoke-wheel", "acme-nodes")
    assert gone.exit_code == 0, gone.output
    code, out = run_on_worker(tmp_path)
    assert code != 0 and UNKNOWN in str(out), out
