"""POST /api/v1/workflows/import: convert an n8n document, show the report, save on demand."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

N8N = {
    "name": "Greeter",
    "nodes": [
        {
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        },
        {
            "name": "Hi",
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "position": [200, 0],
            "parameters": {
                "assignments": {
                    "assignments": [
                        {"name": "greeting", "value": "=Hello {{ $json.name }}", "type": "string"}
                    ]
                }
            },
        },
        {
            "name": "Post",
            "type": "n8n-nodes-base.slack",
            "typeVersion": 2.2,
            "position": [400, 0],
            "parameters": {"text": "={{ $json.greeting }}"},
        },
    ],
    "connections": {
        "Start": {"main": [[{"node": "Hi", "type": "main", "index": 0}]]},
        "Hi": {"main": [[{"node": "Post", "type": "main", "index": 0}]]},
    },
}


def test_import_reports_before_saving_and_saves_on_demand(client: TestClient) -> None:
    r = client.post("/api/v1/workflows/import", json={"document": N8N})
    assert r.status_code == 200, r.text
    [w] = r.json()["workflows"]
    assert w["id"] is None and w["workflow"]["name"] == "Greeter"
    statuses = {n["name"]: n["status"] for n in w["report"]["nodes"]}
    assert statuses == {"Start": "mapped", "Hi": "mapped", "Post": "not_supported"}
    assert client.get("/api/v1/workflows").json()["total"] == 0
    r = client.post("/api/v1/workflows/import", json={"document": N8N, "save": True})
    saved: dict[str, Any] = r.json()["workflows"][0]
    got = client.get(f"/api/v1/workflows/{saved['id']}")
    assert got.status_code == 200 and got.json()["name"] == "Greeter"


def test_a_document_of_neither_tool_is_a_clear_422(client: TestClient) -> None:
    r = client.post("/api/v1/workflows/import", json={"document": {"hello": 1}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert set(body) >= {"error", "message", "details"} and "n8n" in body["message"]


NODE_RED_HTTP = [
    {"id": "tab", "type": "tab", "label": "Hello endpoint"},
    {
        "id": "in",
        "z": "tab",
        "type": "http in",
        "url": "/hello",
        "method": "get",
        "x": 100,
        "y": 80,
        "wires": [["shout"]],
    },
    {
        "id": "shout",
        "z": "tab",
        "type": "function",
        "name": "shout",
        "outputs": 1,
        "func": "msg.payload.name = msg.payload.name.toUpperCase() + '!';\nreturn msg;",
        "x": 200,
        "y": 80,
        "wires": [["page"]],
    },
    {
        "id": "page",
        "z": "tab",
        "type": "template",
        "name": "page",
        "field": "payload",
        "fieldType": "msg",
        "syntax": "mustache",
        "output": "str",
        "template": "<h1>Hello {{payload.name}}</h1><p>{{req.headers.x-caller}}</p>",
        "x": 300,
        "y": 80,
        "wires": [["out"]],
    },
    {
        "id": "out",
        "z": "tab",
        "type": "http response",
        "statusCode": "",
        "headers": {"Content-Type": "text/html"},
        "x": 500,
        "y": 80,
        "wires": [],
    },
]


def test_an_imported_node_red_endpoint_with_a_function_answers_real_requests(
    client: TestClient,
) -> None:
    r = client.post(
        "/api/v1/workflows/import",
        json={"document": NODE_RED_HTTP, "save": True, "format": "node-red"},
    )
    assert r.status_code == 200, r.text
    [w] = r.json()["workflows"]
    assert w["report"]["fully_mapped"], w["report"]
    a = client.post(f"/api/v1/workflows/{w['id']}/activate")
    assert a.status_code == 200, a.text
    resp = client.get("/webhook/hello", params={"name": "Ada"}, headers={"X-Caller": "me"})
    assert resp.status_code == 200, resp.text
    assert resp.text == "<h1>Hello ADA!</h1><p>me</p>"
    assert resp.headers["content-type"].startswith("text/html")
