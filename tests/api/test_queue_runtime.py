"""The API and webhooks on the queue runtime: a real Redis and a real worker process
(``python -m engine worker``) sharing the database with the app: a SQLite file, and
PostgreSQL too for the webhook answers (immediately, last node, Respond to Webhook)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow, wait_execution, webhook_workflow
from tests.api.conftest import OWNER
from tests.support.env import both_databases, default_db, queue_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.redis


@pytest.fixture
def db(request: pytest.FixtureRequest) -> str:
    """The app's database: ``sqlite`` (or ``AURA_TEST_DB``) unless parametrized."""
    return str(getattr(request, "param", default_db()))


@pytest.fixture
def queue_client(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str  # noqa: F811
                 ) -> Iterator[TestClient]:
    """An app on the rq runtime and database ``db`` (when the test takes it; other
    modules import this fixture alone), one forking worker on a private queue, signed
    in as the owner."""
    from studio.api import create_app

    db = (str(request.getfixturevalue("db")) if "db" in request.fixturenames
          else default_db())

    queue = f"api-{os.getpid()}-{id(tmp_path)}"
    # webhooks too go to the worker here (by default they run in the API process)
    with queue_env(db, tmp_path / "aura-data", redis_url, flush=False,
                   AURA_QUEUE_NAME=queue, AURA_QUEUE_WEBHOOKS_HERE="false") as env:
        env.worker("--queues", queue)
        app = create_app(runtime="rq")
        assert app.state.runner.name == "rq"
        with TestClient(app) as c:
            r = c.post("/api/v1/auth/setup", json=OWNER)
            c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            yield c


def _create(c: TestClient, wf: dict[str, Any], activate: bool = False) -> str:
    wid = str(c.post("/api/v1/workflows", json=wf).json()["id"])
    if activate:
        assert c.post(f"/api/v1/workflows/{wid}/activate").status_code == 200
    return wid


@both_databases
def test_webhooks_through_the_queue(db: str, queue_client: TestClient) -> None:
    c = queue_client
    _create(c, webhook_workflow("now", path="now"), activate=True)
    r = c.post("/webhook/now", json={"a": 1})
    assert r.status_code == 202
    done = wait_execution(c, r.json()["execution_id"], timeout=30)
    assert done["status"] == "succeeded" and done["mode"] == "webhook"

    _create(c, webhook_workflow("last", path="last", response_mode="last_node"),
            activate=True)
    r = c.post("/webhook/last", json={"b": 2})
    assert r.status_code == 200
    assert r.json()["body"] == {"b": 2} and r.json()["processed"] is True


def test_run_wait_retry_through_the_queue(queue_client: TestClient) -> None:
    c = queue_client
    wid = _create(c, manual_workflow(x=3))
    r = c.post(f"/api/v1/workflows/{wid}/run", params={"wait": "true"}, json={})
    assert r.status_code == 200 and r.json()["status"] == "succeeded"
    execution = r.json()["execution"]
    assert execution["node_runs"][-1]["outputs"]["main"][0]["json"] == {"x": 3}
    failing = _create(c, {"name": "fails", "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Stop", "type": "core.stop_and_error", "parameters": {"message": "no"}}],
        "connections": [{"source": "Start", "target": "Stop"}]})
    eid = c.post(f"/api/v1/workflows/{failing}/run", params={"wait": "true"},
                 json={}).json()["execution_id"]
    again = c.post(f"/api/v1/executions/{eid}/retry")
    assert again.status_code == 202
    retried = wait_execution(c, again.json()["execution_id"], timeout=30)
    assert retried["retry_of"] == eid and retried["status"] == "failed"


@both_databases
def test_respond_to_webhook_answer_comes_back_from_a_worker(db: str, queue_client: TestClient
                                                            ) -> None:
    """The worker records the Respond-to-Webhook answer; the API returns it."""
    c = queue_client
    _create(c, webhook_workflow("reply", path="reply", response_mode="respond_node", respond={
        "respond_with": "json", "response_json": {"hello": "{{ $json.body.name }}"},
        "response_code": 201, "response_headers": [{"name": "X-Reply", "value": "yes"}]}),
        activate=True)
    r = c.post("/webhook/reply", json={"name": "Ada"})
    assert r.status_code == 201, r.text
    assert r.json() == {"hello": "Ada"} and r.headers["x-reply"] == "yes"
