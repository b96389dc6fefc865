"""``aura services`` and ``GET /api/v1/services`` show a real worker process (started with
``aura worker``): healthy, with its version, pid and load, gone once it stops."""

from __future__ import annotations

import contextlib
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

from engine import registry
from engine.cli.app import app
from tests.registry.conftest import wait_until

pytestmark = pytest.mark.redis
runner = CliRunner()


@pytest.fixture
def worker(registry_env: str, data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``aura worker`` on a private queue (short registry heartbeats)."""
    from engine.services.store import get_store, reset_store

    reset_store()
    get_store()  # migrate before the worker opens the database
    queue = f"services-{os.getpid()}-{id(data_dir)}"
    env = {
        **os.environ,
        "AURA_REDIS_URL": registry_env,
        "AURA_DATA_DIR": str(data_dir),
        "AURA_REGISTRY_HEARTBEAT_S": "0.3",
    }
    with (data_dir / "worker.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "engine", "worker", "--queues", queue],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc, queue
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        reset_store()


def _mine(queue: str) -> list[registry.Instance]:
    return [i for i in registry.instances("worker") if i.meta.get("queues") == [queue]]


def test_services_lists_a_running_worker(
    worker: tuple[subprocess.Popen[bytes], str], data_dir: Path
) -> None:
    from engine.services.store import get_store
    from tests.support.runs import submit

    proc, queue = worker
    [inst] = wait_until(lambda: _mine(queue), timeout=20, what="the worker to register")
    assert inst.health == "healthy" and inst.active == 0 and inst.version == registry.version()
    out = runner.invoke(app, ["services", "--kind", "worker"], env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.output
    row = next(line for line in out.output.splitlines() if inst.id in line)
    assert "worker" in row and "healthy" in row and str(inst.pid) in row
    assert inst.version in row and inst.host in row
    data = json.loads(runner.invoke(app, ["services", "--json"]).output)
    assert inst.id in {i["id"] for i in data["items"]}
    # a running execution shows as load
    wf: dict[str, Any] = {
        "name": "Slow",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {"name": "Wait", "type": "core.wait", "parameters": {"amount": 1.5, "unit": "seconds"}},
        ],
        "connections": [{"source": "Start", "target": "Wait"}],
    }
    eid = submit(definition=wf, queue=queue)
    wait_until(lambda: [i for i in _mine(queue) if i.active == 1], what="active 1")
    wait_until(lambda: get_store().executions.get(eid).status == "succeeded", what="the run")
    # a worker that stops deregisters
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(20)
    assert _mine(queue) == [], (data_dir / "worker.log").read_text()


def test_services_needs_redis(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings

    monkeypatch.delenv("AURA_REDIS_URL", raising=False)
    reset_settings()
    out = runner.invoke(app, ["services"])
    assert out.exit_code == 2 and "No Redis is configured" in out.output


def test_the_api_lists_services_to_admins(
    registry_env: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    from engine.services import auth
    from engine.services.store import reset_store
    from studio.api import create_app

    for k, v in {
        "AURA_PASSWORD_HASH_TIME_COST": "1",
        "AURA_PASSWORD_HASH_MEMORY_KIB": "1024",
        "AURA_PASSWORD_HASH_PARALLELISM": "1",
    }.items():
        monkeypatch.setenv(k, v)
    reset_store()
    auth.reset()
    try:
        with (
            registry.register(kind, {"weight": 2}) as reg,
            TestClient(create_app(runtime="inline")) as c,
        ):
            assert c.get("/api/v1/services").status_code == 401
            token = c.post(
                "/api/v1/auth/setup",
                json={"email": "o@example.com", "password": "correct horse battery staple"},
            ).json()["access_token"]
            c.headers["Authorization"] = f"Bearer {token}"
            items = c.get("/api/v1/services", params={"kind": kind}).json()["items"]
            assert [(i["id"], i["health"], i["weight"]) for i in items] == [
                (reg.id, "healthy", 2.0)
            ]
            apis = c.get("/api/v1/services", params={"kind": "api"}).json()["items"]
            assert os.getpid() in {i["pid"] for i in apis}  # the app registered itself
            ready = c.get("/readyz").json()
            assert ready["services"][kind] == {"healthy": 1, "unhealthy": 0}
            assert ready["services"]["api"]["healthy"] >= 1
    finally:
        auth.reset()
        reset_store()
