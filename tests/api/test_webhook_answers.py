"""Webhook answers that come from the run (Respond to Webhook, binary included, and the
last node's items) are the same whether the API process ran it or a worker did (a real
Redis and a real ``aura worker`` process), and do not depend on what the workflow's
data-retention settings keep of node data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import webhook_workflow
from tests.api.conftest import OWNER
from tests.support.env import queue_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.redis, pytest.mark.slow]

FORGET = {"save_data_success": "none"}
"""Node data of successful runs is not saved."""


@pytest.fixture(scope="module")
def on_workers(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[TestClient]:
    """An app on the rq runtime whose webhooks go to one forking worker process."""
    from studio.api import create_app

    queue = f"answers-{os.getpid()}"
    data = tmp_path_factory.mktemp("answers") / "aura-data"
    with queue_env(
        "sqlite", data, redis_url, AURA_QUEUE_NAME=queue, AURA_QUEUE_WEBHOOKS_HERE="false"
    ) as env:
        env.worker("--queues", queue)
        app = create_app(runtime="rq")
        with TestClient(app) as c:
            r = c.post("/api/v1/auth/setup", json=OWNER)
            c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            yield c


@pytest.fixture(params=["here", "workers"])
def runtime(request: pytest.FixtureRequest) -> Iterator[tuple[str, TestClient]]:
    """(where, a signed-in client): the API process runs webhooks, or a worker does."""
    if request.param == "here":
        yield "here", request.getfixturevalue("client")
    else:
        yield "workers", request.getfixturevalue("on_workers")


def _activate(c: TestClient, wf: dict[str, Any]) -> str:
    r = c.post("/api/v1/workflows", json=wf)
    assert r.status_code == 201, r.text
    wid = str(r.json()["id"])
    a = c.post(f"/api/v1/workflows/{wid}/activate")
    assert a.status_code == 200, a.text
    return wid


def _recorded(c: TestClient, eid: str, where: str) -> dict[str, Any]:
    """The execution as recorded, checked to have run where the test says."""
    from engine.services.store import get_store

    data: dict[str, Any] = c.get(f"/api/v1/executions/{eid}").json()
    assert data["status"] == "succeeded", data
    worker = get_store().executions.get(eid).worker_id or ""
    assert (worker.split(":")[-1] != str(os.getpid())) == (where == "workers"), worker
    return data


def _path(where: str, name: str) -> str:
    return f"{name}-{where}"


def test_a_binary_answer(runtime: tuple[str, TestClient]) -> None:
    where, c = runtime
    path = _path(where, "echo")
    wf = webhook_workflow(
        f"Echo {where}",
        path=path,
        raw_body=True,
        response_mode="respond_node",
        respond={"respond_with": "binary"},
    )
    _activate(c, {**wf, "settings": FORGET})
    payload = bytes(range(256)) * 4
    r = c.post(
        f"/webhook/{path}", content=payload, headers={"Content-Type": "application/octet-stream"}
    )
    assert r.status_code == 200, r.text
    assert r.content == payload
    assert r.headers["content-type"] == "application/octet-stream"
    _recorded(c, r.headers["x-aura-execution-id"], where)


def test_the_last_node_answers_though_its_data_is_not_saved(
    runtime: tuple[str, TestClient],
) -> None:
    where, c = runtime
    path = _path(where, "last")
    wf = webhook_workflow(
        f"Last {where}", path=path, response_mode="last_node", set_values={"seen": True}
    )
    _activate(c, {**wf, "settings": FORGET})
    r = c.post(f"/webhook/{path}", json={"order": 7})
    assert r.status_code == 200, r.text
    assert r.json()["body"] == {"order": 7} and r.json()["seen"] is True
    data = _recorded(c, r.headers["x-aura-execution-id"], where)
    assert [n["outputs"] for n in data["node_runs"]] == [{}, {}]  # nothing kept

    path = _path(where, "all")
    wf = webhook_workflow(
        f"All {where}", path=path, response_mode="last_node", response_data="all_items"
    )
    _activate(c, {**wf, "settings": {"max_saved_items": 0}})  # none kept per output
    r = c.post(f"/webhook/{path}", json={"order": 8})
    assert r.status_code == 200, r.text
    assert [i["body"] for i in r.json()] == [{"order": 8}]


def test_a_respond_node_answer_with_nothing_saved(runtime: tuple[str, TestClient]) -> None:
    where, c = runtime
    path = _path(where, "reply")
    wf = webhook_workflow(
        f"Reply {where}",
        path=path,
        response_mode="respond_node",
        respond={
            "respond_with": "json",
            "response_json": {"hello": "{{ $json.body.name }}"},
            "response_code": 201,
        },
    )
    _activate(c, {**wf, "settings": FORGET})
    r = c.post(f"/webhook/{path}", json={"name": "Ada"})
    assert r.status_code == 201, r.text
    assert r.json() == {"hello": "Ada"}
    _recorded(c, r.headers["x-aura-execution-id"], where)


def test_a_run_a_worker_has_finished_has_its_answer_kept(
    on_workers: TestClient,
) -> None:
    """The webhook's waiter takes the run as ended as soon as the execution is recorded
    finished (it re-reads the record every second, besides listening for the worker's
    end), then reads the answer the worker kept: it must be kept by then. (It was kept
    after the run's last steps, here saving Remove Duplicates' history: a waiter that
    read the record in between answered ``{}``, under load one webhook in a few.)"""
    import time

    from engine.runtimes.answers import answer
    from engine.sdk.items import Item
    from engine.services.executions import RunSpec, start
    from engine.services.principals import RunAs
    from engine.services.store import get_store

    c = on_workers
    wf = webhook_workflow("Kept", path="kept-workers", response_mode="last_node")
    seen = {"operation": "previous_executions", "dedupe_value": "{{ $json.body.order }}"}
    wf["nodes"][1] = {"name": "Set", "type": "core.remove_duplicates", "parameters": seen}
    wid = _activate(c, wf)
    store = get_store()
    principal = RunAs.trigger(store.workflows.get(wid).project_id)
    for n in range(5):
        handle = start(
            RunSpec(
                principal=principal,
                workflow_id=wid,
                version="published",
                mode="webhook",
                input_items=[Item(json={"body": {"order": n}})],
                start_node="Webhook",
                trigger={"kind": "webhook", "answer": True},
                runtime="rq",
            )
        )
        deadline = time.monotonic() + 120  # a bound, not a measure: a lost run fails here
        while store.executions.get(handle.id).status in ("queued", "running"):
            assert time.monotonic() < deadline, "the worker never finished the run"
            time.sleep(0.001)
        assert store.executions.get(handle.id).status == "succeeded"
        kept = answer(handle.id)
        assert kept is not None, f"run {n}: recorded finished, but no answer kept yet"
        assert kept["items"] == [{"body": {"order": n}}]
