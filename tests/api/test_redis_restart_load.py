"""Redis restarted under webhook load loses no accepted execution.

An app on the rq runtime takes a burst of webhook calls ("immediately" mode) while its
private Redis is restarted (empty: no persistence). Every call answered 202 must end
``succeeded`` (the workers' orphan requeue puts the lost jobs back); calls refused during
the outage get a quick 503 JSON error, never a hang."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import webhook_workflow
from tests.api.conftest import OWNER
from tests.support.env import Env, both_databases, default_db, queue_env
from tests.support.redis import RedisForTests, redis_server

pytestmark = pytest.mark.redis

CALLS = 60
STALL_S = 30


class Setup:
    """The environment (one worker on a private queue), its restartable Redis and a
    client of the app signed in as the owner."""

    def __init__(self, env: Env, server: RedisForTests, client: TestClient) -> None:
        self.env = env
        self.server = server
        self.client = client

    def worker(self) -> Any:
        return self.env.worker("--queues", self.env.vars["AURA_QUEUE_NAME"])

    @property
    def workers(self) -> list[Any]:
        return self.env.procs

    def logs(self) -> str:
        return self.env.logs()


@pytest.fixture
def db(request: pytest.FixtureRequest) -> str:
    """The app's database: ``sqlite`` (or ``AURA_TEST_DB``) unless parametrized."""
    return str(getattr(request, "param", default_db()))


@pytest.fixture
def setup(db: str, tmp_path: Path) -> Iterator[Setup]:
    """A private (restartable) Redis, an app on the rq runtime and ``db``, one worker."""
    from studio.api import create_app

    with redis_server() as server, queue_env(db, tmp_path / "aura-data", server.url,
                                             AURA_QUEUE_NAME="restart") as env:
        env.worker("--queues", "restart")
        app = create_app(runtime="rq")
        assert app.state.runner.name == "rq"
        with TestClient(app, raise_server_exceptions=False) as c:
            r = c.post("/api/v1/auth/setup", json=OWNER)
            c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            yield Setup(env, server, c)


@both_databases
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
    # a forking worker on two busy cores may take a second per run: wait while the runs
    # keep finishing, and give up only when none finished for STALL_S
    stalled_at = time.monotonic() + STALL_S
    pending = set(accepted)
    statuses: dict[str, str] = {}
    while pending and time.monotonic() < stalled_at:
        for eid in list(pending):
            r = c.get(f"/api/v1/executions/{eid}")
            assert r.status_code == 200, r.text
            statuses[eid] = r.json()["status"]
            if statuses[eid] in ("succeeded", "failed", "cancelled", "crashed"):
                pending.discard(eid)
                stalled_at = time.monotonic() + STALL_S
        time.sleep(0.2)
    if pending:
        pytest.fail(f"{len(pending)} of {len(accepted)} accepted executions never finished "
                    f"(statuses {sorted({statuses.get(e) for e in pending} - {None})}); "
                    f"logs:\n{setup.logs()}")
    assert {statuses[e] for e in accepted} == {"succeeded"}, (statuses, setup.logs())
    assert len(set(accepted)) == len(accepted)
