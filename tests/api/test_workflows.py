"""``/api/v1/workflows``: CRUD, versions, publish/activate, run and validate."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow, wait_execution, webhook_workflow

API = "/api/v1/workflows"


def test_create_get_list_delete(client: TestClient) -> None:
    r = client.post(API, json=manual_workflow("Orders"), params={"message": "first"})
    assert r.status_code == 201
    wf = r.json()
    assert r.headers["location"] == f"{API}/{wf['id']}"
    assert wf["name"] == "Orders" and wf["version"] == 1 and not wf["active"]
    assert wf["definition"]["nodes"][1]["name"] == "Set"
    assert wf["validation"]["ok"] is True

    got = client.get(f"{API}/{wf['id']}").json()
    assert got["definition"]["id"] == wf["id"] and got["published_version"] is None

    listed = client.get(API).json()
    assert listed["total"] == 1 and listed["limit"] == 50 and listed["offset"] == 0
    assert listed["items"][0]["id"] == wf["id"]

    assert client.delete(f"{API}/{wf['id']}").status_code == 204
    assert client.get(f"{API}/{wf['id']}").status_code == 404
    assert client.delete(f"{API}/{wf['id']}").status_code == 404


def test_list_filters_and_pagination(client: TestClient, create: Callable[..., str]) -> None:
    for i in range(5):
        wf = manual_workflow(f"flow {i}")
        wf["tags"] = ["even"] if i % 2 == 0 else ["odd"]
        create(wf)
    create(webhook_workflow("hooked", path="a"), activate=True)
    page = client.get(API, params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 6 and len(page["items"]) == 2 and page["offset"] == 1
    assert client.get(API, params={"tag": "even"}).json()["total"] == 3
    assert client.get(API, params={"search": "FLOW 3"}).json()["total"] == 1
    active = client.get(API, params={"active": "true"}).json()
    assert [w["name"] for w in active["items"]] == ["hooked"]
    assert client.get(API, params={"active": "false"}).json()["total"] == 5
    assert client.get(API, params={"limit": 0}).status_code == 422


def test_structurally_invalid_workflow_is_422(client: TestClient) -> None:
    r = client.post(API, json={"name": "x", "nodes": [{"name": "A"}]})
    assert r.status_code == 422
    assert r.json()["error"] == "validation_error"
    assert "body.nodes[0].type" in r.json()["message"]
    r = client.post(API, json=["not", "an", "object"])
    assert r.status_code == 422


def test_catalog_problems_refused_unless_draft(client: TestClient) -> None:
    bad = {"name": "bad", "nodes": [{"name": "X", "type": "core.nope"}]}
    r = client.post(API, json=bad)
    assert r.status_code == 422
    assert r.json()["error"] == "workflow_invalid"
    assert r.json()["details"][0]["node"] == "X"
    r = client.post(API, json=bad, params={"allow_invalid": "true"})
    assert r.status_code == 201
    assert r.json()["validation"]["ok"] is False
    wid = r.json()["id"]
    assert client.post(f"{API}/{wid}/activate").status_code == 422
    assert client.post(f"{API}/{wid}/run").status_code == 422
    report = client.post(f"{API}/{wid}/validate").json()
    assert not report["ok"] and "core.nope" in report["errors"][0]["message"]


def test_update_versions_restore(client: TestClient, create: Callable[..., str]) -> None:
    wid = create(manual_workflow("v"))
    r = client.put(f"{API}/{wid}", json=manual_workflow("v2", x=2),
                   params={"message": "rename"})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["name"] == "v2"
    # unchanged definition (as read back, node ids included): no new version
    same = r.json()["definition"]
    assert client.put(f"{API}/{wid}", json=same).json()["version"] == 2
    # stale base version: 409
    r = client.put(f"{API}/{wid}", json=manual_workflow("v3"), params={"base_version": 1})
    assert r.status_code == 409 and r.json()["details"]["current_version"] == 2

    versions = client.get(f"{API}/{wid}/versions").json()["items"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["current"] and versions[0]["message"] == "rename"
    v1 = client.get(f"{API}/{wid}/versions/1").json()
    assert v1["definition"]["name"] == "v"
    assert client.get(f"{API}/{wid}/versions/9").status_code == 404
    assert client.get(f"{API}/{wid}/versions/abc").status_code == 404

    restored = client.post(f"{API}/{wid}/versions/1/restore").json()
    assert restored["number"] == 3 and restored["definition"]["name"] == "v"
    assert client.get(f"{API}/{wid}").json()["name"] == "v"
    assert client.put(f"{API}/nope", json=manual_workflow()).status_code == 404


def test_publish_activate_deactivate(client: TestClient, create: Callable[..., str]) -> None:
    wid = create(webhook_workflow(path="orders"))
    r = client.post(f"{API}/{wid}/publish", json={})
    assert r.status_code == 200 and r.json()["published_version"] == 1
    assert client.get(f"{API}/{wid}").json()["published_version"] == 1
    assert client.post(f"{API}/{wid}/publish", json={"version": 5}).status_code == 404

    r = client.post(f"{API}/{wid}/activate")
    assert r.status_code == 200
    assert r.json()["webhooks"] == [{"method": "POST", "path": "orders", "node": "Webhook"}]
    hooks = client.get(f"{API}/{wid}/webhooks").json()
    assert hooks["production"][0]["url"].endswith("/webhook/orders")

    # publishing a new version of an active workflow moves its webhooks
    client.put(f"{API}/{wid}", json=webhook_workflow(path="orders2"))
    client.post(f"{API}/{wid}/publish", json={})
    assert client.post("/webhook/orders").status_code == 404
    assert client.post("/webhook/orders2").status_code == 202

    r = client.post(f"{API}/{wid}/deactivate")
    assert r.status_code == 200 and r.json() == {"active": False, "removed_webhooks": 1}
    assert client.get(f"{API}/{wid}/webhooks").json()["production"] == []


def test_activating_a_workflow_without_a_listening_trigger_says_so(
        client: TestClient, create: Callable[..., str]) -> None:
    manual = create(manual_workflow(x=1))
    r = client.post(f"{API}/{manual}/activate")
    assert r.status_code == 200 and r.json()["active"] is True
    assert "no Webhook or Schedule trigger" in r.json()["notice"]
    hooked = create(webhook_workflow(path="listens"))
    assert client.post(f"{API}/{hooked}/activate").json().get("notice") is None


def test_run_async_and_wait(client: TestClient, create: Callable[..., str]) -> None:
    wid = create(manual_workflow(x=1))
    r = client.post(f"{API}/{wid}/run", json={})
    assert r.status_code == 202 and r.json()["status"] == "queued"
    done = wait_execution(client, r.json()["execution_id"])
    assert done["status"] == "succeeded" and done["mode"] == "manual"

    r = client.post(f"{API}/{wid}/run", params={"wait": "true"},
                    json={"input_items": [{"a": 1}, {"a": 2}], "trigger_node": "Set"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "succeeded"
    assert [i["json"] for i in body["output"]] == [{"a": 1, "x": 1}, {"a": 2, "x": 1}]
    assert [n["node"] for n in body["execution"]["node_runs"]] == ["Set"]


def test_run_errors(client: TestClient, create: Callable[..., str]) -> None:
    wid = create(manual_workflow())
    assert client.post(f"{API}/nope/run", json={}).status_code == 404
    r = client.post(f"{API}/{wid}/run", json={"trigger_node": "Ghost"})
    assert r.status_code == 422 and "Ghost" in r.json()["message"]
    r = client.post(f"{API}/{wid}/run", json={"version": "published"})
    assert r.status_code == 404 and "publish" in r.json()["message"]
    r = client.post(f"{API}/{wid}/run", json={"input_items": "nope"})
    assert r.status_code == 422


def test_failed_run_is_reported_not_500(client: TestClient, create: Callable[..., str]
                                        ) -> None:
    wf = {"name": "fails", "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Stop", "type": "core.stop_and_error", "parameters": {"message": "nope"}}],
        "connections": [{"source": "Start", "target": "Stop"}]}
    wid = create(wf)
    r = client.post(f"{API}/{wid}/run", params={"wait": "true"}, json={})
    assert r.status_code == 200
    assert r.json()["status"] == "failed"
    assert r.json()["execution"]["error"]["message"] == "nope"


def test_validate_unsaved_definition(client: TestClient) -> None:
    ok = client.post(f"{API}/validate", json=manual_workflow()).json()
    assert ok == {"ok": True, "errors": [], "warnings": ok["warnings"]}
    bad = client.post(f"{API}/validate", json={
        "name": "b", "nodes": [{"name": "A", "type": "core.set"}],
        "connections": [{"source": "A", "target": "Ghost"}]}).json()
    assert not bad["ok"] and "Ghost" in bad["errors"][0]["message"]
    assert client.get(API).json()["total"] == 0
