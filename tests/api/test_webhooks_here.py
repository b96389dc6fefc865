"""Under the queue runtime (what ``aura up`` runs), webhooks that answer after their run
run in the API process by default (``AURA_QUEUE_WEBHOOKS_HERE``): no worker is needed
for them, the execution is recorded like any other, and 'Respond immediately' webhooks
and workflows with a concurrency limit still go to the workers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import webhook_workflow
from tests.api.conftest import OWNER
from tests.support.env import queue_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.redis


@pytest.fixture
def no_worker_client(tmp_path: Path, redis_url: str) -> Iterator[TestClient]:  # noqa: F811
    """An app on the rq runtime with NO worker process, signed in as the owner."""
    from studio.api import create_app

    queue = f"here-{os.getpid()}-{id(tmp_path)}"
    with queue_env("sqlite", tmp_path / "aura-data", redis_url, flush=False, AURA_QUEUE_NAME=queue):
        app = create_app(runtime="rq")
        assert app.state.runner.name == "rq"
        with TestClient(app) as c:
            r = c.post("/api/v1/auth/setup", json=OWNER)
            c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            yield c


def _activate(c: TestClient, wf: dict[str, Any]) -> str:
    wid = str(c.post("/api/v1/workflows", json=wf).json()["id"])
    assert c.post(f"/api/v1/workflows/{wid}/activate").status_code == 200, wid
    return wid


def test_answering_webhooks_run_in_the_api_process(no_worker_client: TestClient) -> None:
    c = no_worker_client
    _activate(
        c,
        webhook_workflow(
            "reply",
            path="reply",
            response_mode="respond_node",
            respond={"respond_with": "first_item_json"},
        ),
    )
    r = c.post("/webhook/reply", json={"name": "Ada"})
    assert r.status_code == 200, r.text
    assert r.json()["body"] == {"name": "Ada"} and r.json()["processed"] is True
    done = c.get(f"/api/v1/executions/{r.headers['X-Aura-Execution-Id']}").json()
    assert done["status"] == "succeeded" and done["mode"] == "webhook"
    assert [n["node"] for n in done["node_runs"]] == ["Webhook", "Set", "Respond"]
    assert done["node_runs"][1]["outputs"]["main"][0]["json"]["processed"] is True

    _activate(c, webhook_workflow("last", path="last", response_mode="last_node"))
    r = c.post("/webhook/last", json={"b": 2})
    assert r.status_code == 200 and r.json()["body"] == {"b": 2}


def test_immediate_and_limited_webhooks_still_go_to_the_queue(no_worker_client: TestClient) -> None:
    c = no_worker_client
    _activate(c, webhook_workflow("now", path="now"))
    r = c.post("/webhook/now", json={"a": 1})
    assert r.status_code == 202
    queued = c.get(f"/api/v1/executions/{r.json()['execution_id']}").json()
    assert queued["status"] == "queued"  # no worker: it waits on the queue

    from engine.config import settings

    assert settings().queue.webhooks_here
    limited = webhook_workflow("limited", path="limited", response_mode="last_node")
    limited["settings"] = {"concurrency": 1, "timeout_s": 1}
    _activate(c, limited)
    r = c.post("/webhook/limited", json={"c": 3})
    # no worker runs it: the API gives up after the workflow's timeout instead of
    # running it here past the limit's guard
    assert r.status_code >= 500 or r.json().get("status") == "queued", r.text
