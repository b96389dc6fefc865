"""Redis restarted under webhook load loses no accepted execution.

An app on the rq runtime takes a burst of webhook calls ("immediately" mode) while its
private Redis is restarted (empty: no persistence). Every call answered 202 must end
``succeeded`` (the workers' orphan requeue puts the lost jobs back); calls refused during
the outage get a quick 503 JSON error, never a hang."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import webhook_workflow
from tests.api.conftest import OWNER
from tests.support.redis import RedisForTests, redis_server

pytestmark = pytest.mark.redis

CALLS = 60
QUEUE_ENV = {
    "AURA_QUEUE_HEARTBEAT_INTERVAL_S": "0.5",
    "AURA_QUEUE_HEARTBEAT_TIMEOUT_S": "3",
    "AURA_QUEUE_REAP_INTERVAL_S": "1",
    "AURA_QUEUE_ORPHAN_GRACE_S": "1",
    "AURA_PASSWORD_HASH_TIME_COST": "1",
    "AURA_PASSWORD_HASH_MEMORY_KIB": "1024",
    "AURA_PASSWORD_HASH_PARALLELISM": "1",
}


def _reset() -> None:
    from engine.config import reset_settings
    from engine.runtimes._redis import reset_connections
    from engine.services import auth
    from engine.services.store import reset_store

    reset_settings()
    reset_store()
    reset_connections()
    auth.reset()


class Setup:
    def __init__(self, server: RedisForTests, data_dir: Path, env: dict[str, str]) -> None:
        self.server = server
        self.data_dir = data_dir
        self.env = env
        self.workers: list[subprocess.Popen[bytes]] = []
        self.client: TestClient

    def worker(self) -> subprocess.Popen[bytes]:
        with (self.data_dir / f"worker-{len(self.workers)}.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "engine", "worker", "--queues",
                 self.env["AURA_QUEUE_NAME"]],
                env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.workers.append(proc)
        return proc

    def logs(self) -> str:
        return "\n".join(f.read_text(errors="replace")[-3000:]
                         for f in sorted(self.data_dir.glob("worker-*.log")))


@pytest.fixture
def setup(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    """A private (restartable) Redis, an app on the rq runtime, one worker."""
    from engine.services.store import get_store
    from studio.api import create_app

    with redis_server() as server:
        env = {**QUEUE_ENV, "AURA_REDIS_URL": server.url, "AURA_DATA_DIR": str(data_dir),
               "AURA_QUEUE_NAME": f"restart-{os.getpid()}"}
        monkeypatch.delenv("AURA_DB_URL", raising=False)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        _reset()
        get_store()  # migrate before the worker opens the database
        s = Setup(server, data_dir, env)
        s.worker()
        app = create_app(runtime="rq")
        assert app.state.runner.name == "rq"
        try:
            with TestClient(app, raise_server_exceptions=False) as c:
                r = c.post("/api/v1/auth/setup", json=OWNER)
                c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
                s.client = c
                yield s
        finally:
            for p in s.workers:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
            _reset()


def test_redis_restart_under_webhook_load_loses_no_accepted_execution(setup: Setup
                                                                       ) -> None:
    c = setup.client
    wid = c.post("/api/v1/workflows", json=webhook_workflow("load", path="load")).json()["id"]
    assert c.post(f"/api/v1/workflows/{wid}/activate").status_code == 200

    accepted: list[str] = []
    refused: list[tuple[int, Any]] = []
    unexpected: list[tuple[int, str, float]] = []
    sent = threading.Event()  # set once a third of the calls went out

    def fire() -> None:
        for i in range(CALLS):
            if i == CALLS // 3:
                sent.set()
            started = time.monotonic()
            r = c.post("/webhook/load", json={"i": i})
            took = time.monotonic() - started
            if r.status_code == 202:
                accepted.append(r.json()["execution_id"])
            elif r.status_code == 503 and r.headers["content-type"].startswith(
                    "application/json") and took < 10:
                refused.append((r.status_code, r.json()))
            else:
                unexpected.append((r.status_code, r.text[:300], took))
            time.sleep(0.02)
        sent.set()

    thread = threading.Thread(target=fire, daemon=True)
    thread.start()
    assert sent.wait(30)
    setup.server.restart()  # same port and password, no data: queued jobs are gone
    thread.join(45)
    assert not thread.is_alive(), "a webhook call hung"
    assert not unexpected, unexpected
    assert len(accepted) + len(refused) == CALLS
    assert len(accepted) >= CALLS // 3, (len(accepted), refused[:3])

    if all(p.poll() is not None for p in setup.workers):
        setup.worker()  # the first worker gave up on Redis: start another one
    deadline = time.monotonic() + 30
    pending = set(accepted)
    statuses: dict[str, str] = {}
    while pending and time.monotonic() < deadline:
        for eid in list(pending):
            r = c.get(f"/api/v1/executions/{eid}")
            assert r.status_code == 200, r.text
            statuses[eid] = r.json()["status"]
            if statuses[eid] in ("succeeded", "failed", "cancelled", "crashed"):
                pending.discard(eid)
        time.sleep(0.2)
    assert not pending, ({e: statuses.get(e) for e in pending}, setup.logs())
    assert {statuses[e] for e in accepted} == {"succeeded"}, (statuses, setup.logs())
    assert len(set(accepted)) == len(accepted)
