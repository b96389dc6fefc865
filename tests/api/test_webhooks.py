"""Webhooks: response modes, request parsing, activation, test listeners."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import wait_execution, webhook_workflow
from tests.support.env import both_databases, database_url, default_db

API = "/api/v1/workflows"


@pytest.fixture
def db(request: pytest.FixtureRequest) -> str:
    """The app's database: ``sqlite`` (or ``AURA_TEST_DB``) unless parametrized."""
    return str(getattr(request, "param", default_db()))


@pytest.fixture
def data_dir(data_dir: Path, db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's data directory; with ``db="postgres"`` its database is a fresh
    PostgreSQL one (``AURA_DB_URL``)."""
    with database_url(db) as url:
        if url:
            from engine.config import reset_settings

            monkeypatch.setenv("AURA_DB_URL", url)
            reset_settings()
        yield data_dir


def test_immediately_answers_202_with_execution_id(client: TestClient,
                                                   create: Callable[..., str]) -> None:
    create(webhook_workflow(path="orders/new"), activate=True)
    r = client.post("/webhook/orders/new?src=test", json={"id": 7})
    assert r.status_code == 202
    eid = r.json()["execution_id"]
    assert r.headers["x-aura-execution-id"] == eid
    done = wait_execution(client, eid)
    assert done["status"] == "succeeded" and done["mode"] == "webhook"
    item = done["node_runs"][0]["outputs"]["main"][0]["json"]
    assert item["body"] == {"id": 7} and item["query"] == {"src": "test"}
    assert item["method"] == "POST" and item["path"] == "orders/new"
    assert item["headers"]["content-type"] == "application/json"
    assert done["node_runs"][1]["outputs"]["main"][0]["json"]["processed"] is True


def test_immediately_with_configured_code_and_no_body(client: TestClient,
                                                      create: Callable[..., str]) -> None:
    create(webhook_workflow(path="a", response_code=200, response_data="no_body",
                            response_headers=[{"name": "X-Extra", "value": "1"}]),
           activate=True)
    r = client.post("/webhook/a")
    assert r.status_code == 200 and r.content == b"" and r.headers["x-extra"] == "1"


@both_databases
def test_last_node_modes(client: TestClient, create: Callable[..., str]) -> None:
    create(webhook_workflow("first", path="first", response_mode="last_node"), activate=True)
    r = client.post("/webhook/first", json={"n": 1})
    assert r.status_code == 200
    assert r.json()["body"] == {"n": 1} and r.json()["processed"] is True

    create(webhook_workflow("all", path="all", response_mode="last_node",
                            response_data="all_items", response_code=201), activate=True)
    r = client.post("/webhook/all", json={"n": 2})
    assert r.status_code == 201 and isinstance(r.json(), list) and len(r.json()) == 1

    create(webhook_workflow("none", path="none", response_mode="last_node",
                            response_data="no_body"), activate=True)
    r = client.post("/webhook/none")
    assert r.status_code == 200 and r.content == b""


def test_last_node_failure_is_reported(client: TestClient, create: Callable[..., str]
                                       ) -> None:
    wf = webhook_workflow(path="fail", response_mode="last_node")
    wf["nodes"][1] = {"name": "Set", "type": "core.stop_and_error",
                      "parameters": {"message": "bad order"}}
    create(wf, activate=True)
    r = client.post("/webhook/fail")
    assert r.status_code == 500
    body = r.json()
    assert body["error"] == "workflow_failed" and "bad order" in body["message"]
    assert wait_execution(client, body["details"]["execution_id"])["status"] == "failed"


@both_databases
def test_respond_node_json_text_redirect(client: TestClient, create: Callable[..., str]
                                         ) -> None:
    create(webhook_workflow("j", path="j", response_mode="respond_node", respond={
        "respond_with": "json", "response_json": {"ok": "{{ $json.body.name }}"},
        "response_code": 201, "response_headers": [{"name": "X-Reply", "value": "yes"}]}),
        activate=True)
    r = client.post("/webhook/j", json={"name": "Ada"})
    assert r.status_code == 201 and r.headers["x-reply"] == "yes"
    assert r.json() == {"ok": "Ada"}

    create(webhook_workflow("t", path="t", response_mode="respond_node", respond={
        "respond_with": "text", "response_body": "thanks"}), activate=True)
    r = client.post("/webhook/t")
    assert r.status_code == 200 and r.text == "thanks"
    assert r.headers["content-type"].startswith("text/plain")

    create(webhook_workflow("r", path="r", response_mode="respond_node", respond={
        "respond_with": "redirect", "redirect_url": "https://example.com/done"}),
        activate=True)
    r = client.post("/webhook/r", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "https://example.com/done"


@both_databases
def test_respond_node_binary_raw_body(client: TestClient, create: Callable[..., str]
                                      ) -> None:
    create(webhook_workflow(path="echo", raw_body=True, response_mode="respond_node",
                            respond={"respond_with": "binary"}), activate=True)
    payload = bytes(range(256))
    r = client.post("/webhook/echo", content=payload,
                    headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200
    assert r.content == payload
    assert r.headers["content-type"] == "application/octet-stream"


def test_respond_node_first_item_is_the_default(client: TestClient,
                                                create: Callable[..., str]) -> None:
    create(webhook_workflow(path="d", response_mode="respond_node", respond={}),
           activate=True)
    r = client.post("/webhook/d", json={"x": 1})
    assert r.status_code == 200 and r.json()["processed"] is True


def test_form_multipart_text_and_path_params(client: TestClient,
                                             create: Callable[..., str]) -> None:
    create(webhook_workflow(path="users/:id/files", response_mode="last_node"),
           activate=True)
    r = client.post("/webhook/users/42/files", data={"a": "1", "b": ["x", "y"]})
    assert r.status_code == 200
    assert r.json()["params"] == {"id": "42"}
    assert r.json()["body"] == {"a": "1", "b": ["x", "y"]}

    r = client.post("/webhook/users/42/files", data={"title": "doc"},
                    files={"upload": ("a.txt", b"hello", "text/plain")})
    assert r.status_code == 200 and r.json()["body"] == {"title": "doc"}
    eid = r.headers["x-aura-execution-id"]
    run = wait_execution(client, eid)["node_runs"][0]["outputs"]["main"][0]
    assert run["binary"]["data"]["file_name"] == "a.txt"
    assert run["binary"]["data"]["mime_type"] == "text/plain"

    r = client.post("/webhook/users/7/files", content=b"plain words",
                    headers={"Content-Type": "text/plain"})
    assert r.json()["body"] == "plain words" and r.json()["params"] == {"id": "7"}


def test_invalid_json_body_is_400(client: TestClient, create: Callable[..., str]) -> None:
    create(webhook_workflow(path="j"), activate=True)
    r = client.post("/webhook/j", content=b"{nope", headers={"Content-Type":
                                                              "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "bad_request"


@both_databases
def test_nan_and_infinity_bodies_are_400_not_500(client: TestClient,
                                                 create: Callable[..., str]) -> None:
    """Python's JSON parser takes NaN; PostgreSQL's json columns refuse it (this was a
    500 on PostgreSQL and a stored NaN on SQLite)."""
    create(webhook_workflow(path="nums", response_mode="last_node"), activate=True)
    for body in (b'{"v": NaN}', b'{"v": -Infinity}'):
        r = client.post("/webhook/nums", content=body,
                        headers={"Content-Type": "application/json"})
        assert r.status_code == 400, r.text
        assert "not valid JSON" in r.json()["message"]
    r = client.post("/webhook/nums", json={"v": 1.5})
    assert r.status_code == 200 and r.json()["body"] == {"v": 1.5}


@both_databases
def test_a_nul_character_in_a_url_is_a_4xx(client: TestClient, db: str) -> None:
    """PostgreSQL refuses NUL in text: a path or id with one was a 500 there (for the
    public webhook URL too). Now it is a clear 4xx on both databases."""
    for method, url in (("POST", "/webhook/a%00b"), ("GET", "/webhook/x%00"),
                        ("POST", f"/webhook-waiting/{'0' * 31}%00/token"),
                        ("GET", "/api/v1/executions/ab%00"),
                        ("GET", f"{API}?search=a%00")):
        r = client.request(method, url)
        assert r.status_code < 500, (method, url, r.status_code, r.text)  # a search: 200
        if db == "postgres" and r.status_code == 422:
            assert "NUL character" in r.json()["message"]


def test_any_method_and_head(client: TestClient, create: Callable[..., str]) -> None:
    create(webhook_workflow(path="any", http_method="ANY", response_mode="last_node"),
           activate=True)
    for method in ("GET", "PUT", "PATCH", "DELETE", "POST"):
        r = client.request(method, "/webhook/any")
        assert r.status_code == 200 and r.json()["method"] == method
    create(webhook_workflow("g", path="g", http_method="GET"), activate=True)
    r = client.head("/webhook/g")
    assert r.status_code == 202 and r.content == b""


def test_unknown_path_and_wrong_method(client: TestClient, create: Callable[..., str]
                                       ) -> None:
    r = client.post("/webhook/missing")
    assert r.status_code == 404
    assert "is the workflow active" in r.json()["message"]
    assert "editor listens" in r.json()["message"]
    create(webhook_workflow(path="only-post"), activate=True)
    r = client.get("/webhook/only-post")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert "POST" in r.json()["message"]


def test_two_workflows_cannot_claim_one_path(client: TestClient,
                                             create: Callable[..., str]) -> None:
    create(webhook_workflow("First", path="shared"), activate=True)
    wid = create(webhook_workflow("Second", path="shared"))
    r = client.post(f"{API}/{wid}/activate")
    assert r.status_code == 409
    assert "First" in r.json()["message"]
    assert r.json()["details"]["workflow_name"] == "First"
    assert client.get(f"{API}/{wid}").json()["active"] is False
    # another method on the same path is fine
    client.put(f"{API}/{wid}", json=webhook_workflow("Second", path="shared",
                                                     http_method="PUT"))
    client.post(f"{API}/{wid}/publish", json={})
    assert client.post(f"{API}/{wid}/activate").status_code == 200


def test_deactivation_stops_the_webhook(client: TestClient, create: Callable[..., str]
                                        ) -> None:
    wid = create(webhook_workflow(path="stop"), activate=True)
    assert client.post("/webhook/stop").status_code == 202
    assert client.post(f"{API}/{wid}/deactivate").status_code == 200
    assert client.post("/webhook/stop").status_code == 404
    assert client.post(f"{API}/{wid}/activate").status_code == 200
    assert client.post("/webhook/stop").status_code == 202
    client.delete(f"{API}/{wid}")
    assert client.post("/webhook/stop").status_code == 404


def test_test_webhook_runs_the_draft_once(client: TestClient, create: Callable[..., str]
                                          ) -> None:
    wid = create(webhook_workflow(path="try", response_mode="last_node"))
    assert client.post("/webhook-test/try").status_code == 404
    r = client.post(f"{API}/{wid}/test-webhook", json={})
    assert r.status_code == 200 and r.json()["listening"] is True
    assert r.json()["webhooks"][0]["url"].endswith("/webhook-test/try")
    assert client.get(f"{API}/{wid}/webhooks").json()["test"][0]["path"] == "try"
    # the production URL stays off: the workflow is not active
    assert client.post("/webhook/try").status_code == 404
    r = client.post("/webhook-test/try", json={"draft": True})
    assert r.status_code == 200 and r.json()["body"] == {"draft": True}
    assert wait_execution(client, r.headers["x-aura-execution-id"])["mode"] == "manual"
    assert client.post("/webhook-test/try").status_code == 404  # one shot


def test_test_webhook_uses_latest_draft_not_published(client: TestClient,
                                                      create: Callable[..., str]) -> None:
    wid = create(webhook_workflow(path="v", response_mode="last_node",
                                  set_values={"v": 1}), activate=True)
    client.put(f"{API}/{wid}", json=webhook_workflow(path="v", response_mode="last_node",
                                                     set_values={"v": 2}))
    assert client.post("/webhook/v").json()["v"] == 1
    client.post(f"{API}/{wid}/test-webhook", json={"ttl_s": 5})
    assert client.post("/webhook-test/v").json()["v"] == 2
    r = client.delete(f"{API}/{wid}/test-webhook")
    assert r.status_code == 200 and r.json()["stopped"] == 0


def test_test_webhook_expires_and_disarms(client: TestClient, create: Callable[..., str]
                                          ) -> None:
    from engine.triggers import webhooks

    wid = create(webhook_workflow(path="exp"))
    client.post(f"{API}/{wid}/test-webhook", json={"ttl_s": 1})
    for listener in webhooks._tests.values():
        listener.expires = 0
    assert client.post("/webhook-test/exp").status_code == 404
    client.post(f"{API}/{wid}/test-webhook", json={})
    assert client.delete(f"{API}/{wid}/test-webhook").json()["stopped"] == 1
    assert client.post("/webhook-test/exp").status_code == 404
    other = create(webhook_workflow("other", path="exp"))
    client.post(f"{API}/{wid}/test-webhook", json={})
    assert client.post(f"{API}/{other}/test-webhook", json={}).status_code == 409
    no_hook = create({"name": "plain", "nodes": [
        {"name": "Start", "type": "core.manual_trigger"}], "connections": []})
    assert client.post(f"{API}/{no_hook}/test-webhook", json={}).status_code == 422


def test_empty_path_gets_an_unguessable_default(client: TestClient,
                                                create: Callable[..., str]) -> None:
    wf = webhook_workflow(path="")
    wid = create(wf, allow_invalid="true")
    r = client.post(f"{API}/{wid}/activate")
    assert r.status_code == 200
    path = r.json()["webhooks"][0]["path"]
    node_id, slug = path.split("/")
    assert len(node_id) == 32 and slug == "webhook"
    saved = client.get(f"{API}/{wid}").json()["definition"]["nodes"][0]["parameters"]
    assert saved["path"] == path
    assert client.post(f"/webhook/{path}").status_code == 202


def test_execution_records_webhook_trigger(client: TestClient, create: Callable[..., str]
                                           ) -> None:
    create(webhook_workflow(path="rec", response_mode="last_node"), activate=True)
    r = client.post("/webhook/rec", content=json.dumps({"a": 1}),
                    headers={"Content-Type": "application/json"})
    listed = client.get("/api/v1/executions", params={"mode": "webhook"}).json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == r.headers["x-aura-execution-id"]


def test_resume_url_continues_a_waiting_execution(client: TestClient,
                                                  create: Callable[..., str]) -> None:
    import pytest

    pytest.importorskip("engine.triggers.waits")
    from engine.services.store import get_store

    wid = create({"name": "waits", "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Wait", "type": "core.wait", "parameters": {
            "resume": "webhook", "webhook_method": "POST", "webhook_suffix": "approve",
            "response_code": 201}},
        {"name": "Set", "type": "core.set", "parameters": {
            "assignments": [{"name": "done", "value": True}]}}],
        "connections": [{"source": "Start", "target": "Wait"},
                        {"source": "Wait", "target": "Set"}]})
    r = client.post(f"{API}/{wid}/run", params={"wait": "true"}, json={})
    assert r.json()["status"] == "waiting"
    eid = r.json()["execution_id"]
    token = get_store().executions.get(eid).resume_token
    assert client.post(f"/webhook-waiting/{eid}/wrong/approve").status_code == 404
    assert client.post(f"/webhook-waiting/{eid}/{token}/other").status_code == 404
    wrong = client.get(f"/webhook-waiting/{eid}/{token}/approve")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
    r = client.post(f"/webhook-waiting/{eid}/{token}/approve", json={"ok": 1})
    assert r.status_code == 201 and r.json()["resumed"] is True
    done = wait_execution(client, eid)
    assert done["status"] == "succeeded"
    assert client.post(f"/webhook-waiting/{eid}/{token}/approve").status_code == 404
