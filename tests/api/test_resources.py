"""Variables, the node catalog and credentials."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow


def test_variables_crud(client: TestClient) -> None:
    r = client.post("/api/v1/variables", json={"key": "BASE_URL", "value": "https://x"})
    assert r.status_code == 201 and r.json()["key"] == "BASE_URL"
    assert client.post("/api/v1/variables", json={"key": "BASE_URL", "value": "y"}
                       ).status_code == 409
    assert client.get("/api/v1/variables/BASE_URL").json()["value"] == "https://x"
    r = client.put("/api/v1/variables/BASE_URL", json={"value": "https://y"})
    assert r.status_code == 200 and r.json()["value"] == "https://y"
    assert client.put("/api/v1/variables/OTHER", json={"value": "1"}).status_code == 200
    keys = [v["key"] for v in client.get("/api/v1/variables").json()["items"]]
    assert keys == ["BASE_URL", "OTHER"]
    assert client.delete("/api/v1/variables/OTHER").status_code == 204
    assert client.get("/api/v1/variables/OTHER").status_code == 404
    assert client.delete("/api/v1/variables/OTHER").status_code == 404
    bad = client.post("/api/v1/variables", json={"key": "1bad", "value": ""})
    assert bad.status_code == 422 and bad.json()["details"][0]["path"] == "body.key"
    assert client.put("/api/v1/variables/bad-key", json={"value": "x"}).status_code == 422


def test_variables_reach_expressions(client: TestClient) -> None:
    client.put("/api/v1/variables/GREETING", json={"value": "hi"})
    r = client.post("/api/v1/workflows", json=manual_workflow(g="{{ $vars.GREETING }}"))
    wid = r.json()["id"]
    out = client.post(f"/api/v1/workflows/{wid}/run", params={"wait": "true"}, json={})
    assert out.json()["output"][0]["json"] == {"g": "hi"}


def test_node_catalog(client: TestClient) -> None:
    listed = client.get("/api/v1/nodes").json()
    types = {n["type"] for n in listed["items"]}
    assert {"core.webhook_trigger", "core.set", "core.respond_to_webhook"} <= types
    triggers = client.get("/api/v1/nodes", params={"trigger": "true"}).json()["items"]
    assert all(n["trigger"] for n in triggers) and triggers
    found = client.get("/api/v1/nodes", params={"search": "respond"}).json()["items"]
    assert [n["type"] for n in found] == ["core.respond_to_webhook"]
    node = client.get("/api/v1/nodes/core.webhook_trigger").json()
    assert node["version"] == 1 and node["versions"] == [1]
    assert "path" in node["params_schema"]["properties"]
    assert node["docs"].startswith("# Webhook")
    assert [c["name"] for c in node["credentials"]] == ["header_auth", "basic_auth",
                                                        "hmac_secret"]
    alias = client.get("/api/v1/nodes/n8n-nodes-base.set").json()
    assert alias["type"] == "core.set"
    missing = client.get("/api/v1/nodes/core.nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert client.get("/api/v1/nodes/core.set", params={"version": 9}).status_code == 404


def test_credentials_are_masked(client: TestClient) -> None:
    r = client.post("/api/v1/credentials", json={
        "name": "GitHub", "kind": "header_auth",
        "data": {"name": "X-Token", "value": "s3cret"}})
    assert r.status_code == 201
    cred = r.json()
    assert cred["data"]["name"] == "X-Token" and cred["data"]["value"] == "********"
    assert "s3cret" not in r.text
    cid = cred["id"]
    got = client.get(f"/api/v1/credentials/{cid}")
    assert got.json()["data"]["value"] == "********" and "s3cret" not in got.text
    listed = client.get("/api/v1/credentials").json()["items"]
    assert [c["name"] for c in listed] == ["GitHub"] and listed[0]["data"] is None

    # sending the mask back keeps the secret; other fields change
    r = client.patch(f"/api/v1/credentials/{cid}", json={
        "name": "GH", "data": {"name": "X-Other", "value": "********"}})
    assert r.status_code == 200 and r.json()["name"] == "GH"
    assert client.post(f"/api/v1/credentials/{cid}/test").json()["ok"] is True

    assert client.post("/api/v1/credentials", json={
        "name": "x", "kind": "header_auth", "data": {"name": "X"}}).status_code == 422
    assert client.delete(f"/api/v1/credentials/{cid}").status_code == 204
    assert client.get(f"/api/v1/credentials/{cid}").status_code == 404


def test_credential_kinds(client: TestClient) -> None:
    kinds = {k["kind"]: k for k in client.get("/api/v1/credential-kinds").json()["items"]}
    assert {"header_auth", "basic_auth", "hmac_secret"} <= set(kinds)
    assert kinds["basic_auth"]["secret_fields"] == ["password"]
    assert "user" in kinds["basic_auth"]["schema"]["properties"]


def test_credential_test_endpoints(client: TestClient) -> None:
    r = client.post("/api/v1/credentials/test", json={"kind": "hmac_secret",
                                                      "data": {"secret": "x" * 32}})
    assert r.status_code == 200 and r.json()["ok"] is True
    r = client.post("/api/v1/credentials/test", json={"kind": "hmac_secret",
                                                      "data": {"secret": "short"}})
    assert r.json()["ok"] is False and "16" in r.json()["message"]
    r = client.post("/api/v1/credentials/test", json={"kind": "hmac_secret", "data": {}})
    assert r.status_code == 200 and r.json()["ok"] is False
    r = client.post("/api/v1/credentials/test", json={"kind": "nope", "data": {}})
    assert r.status_code == 200 and r.json()["ok"] is False
