"""The agents API: create, run with its steps, approvals inbox and decision, export and
import, the ledger; errors are 4xx with a message saying what to do; OpenAPI lists it."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api.conftest import app, client, owner  # noqa: F401 (fixtures)
from tests.support.llm_server import LLMServer, last_tool_result

KEY = "sk-api-agent-key-90a1"


def _agent(client: TestClient, llm: LLMServer, **definition: Any) -> str:  # noqa: F811
    cred = client.post(
        "/api/v1/credentials",
        json={
            "name": "LLM",
            "kind": "openai_compatible",
            "data": {"base_url": llm.url, "api_key": KEY, "model": "gpt-x"},
        },
    )
    assert cred.status_code == 201, cred.text
    r = client.post(
        "/api/v1/agents",
        json={
            "name": "Helper",
            "definition": {"model": {"credential_id": cred.json()["id"]}, **definition},
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_run_and_steps_through_the_api(client: TestClient, llm: LLMServer) -> None:  # noqa: F811
    agent = _agent(client, llm, tools=[{"kind": "http"}])
    page = llm.url.removesuffix("/v1") + "/page?name=API"
    llm.play(
        {"tool": "http_request", "args": {"url": page}},
        lambda body: {"text": last_tool_result(body)[:80]},
    )
    r = client.post(f"/api/v1/agents/{agent}/runs", json={"prompt": "Fetch it", "wait": 30})
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["status"] == "succeeded" and "says hi to API" in run["answer"]
    assert [s["kind"] for s in run["steps"]] == ["model", "tool", "model", "final"]
    again = client.get(f"/api/v1/agent-runs/{run['id']}").json()
    assert again["steps"] == run["steps"] and KEY not in str(again)
    listed = client.get(f"/api/v1/agents/{agent}/runs").json()["items"]
    assert [x["id"] for x in listed] == [run["id"]]
    usage = client.get("/api/v1/usage", params={"by": "agent_id"}).json()["items"]
    assert usage[0]["agent_id"] == agent and usage[0]["tokens_in"] == 22
    budget = client.get(f"/api/v1/agents/{agent}/budget").json()
    assert budget["agent"]["state"] == "ok" and budget["agent"]["spent"] == 0
    bad = client.put("/api/v1/usage/prices", json={"prices": {"gpt-x": {"in": 1}}})
    assert bad.status_code == 422
    ok = client.put("/api/v1/usage/prices",
                    json={"prices": {"gpt-*": {"input": 1000, "output": 1000}}})
    assert ok.status_code == 200, ok.text
    # the execution is an ordinary one too, of kind agent
    assert client.get(f"/api/v1/executions/{run['id']}").status_code == 200


def test_approval_through_the_api(client: TestClient, llm: LLMServer) -> None:  # noqa: F811
    agent = _agent(client, llm, tools=[{"kind": "http", "sensitive": True}])
    page = llm.url.removesuffix("/v1") + "/page?name=Inbox"
    llm.play({"tool": "http_request", "args": {"url": page}}, {"text": "Done."})
    run = client.post(f"/api/v1/agents/{agent}/runs", json={"prompt": "Go", "wait": 30}).json()
    assert run["status"] == "waiting"
    (item,) = client.get("/api/v1/approvals").json()["items"]
    assert item["execution_id"] == run["id"] and item["subject"]["tool"] == "http_request"
    bad = client.post(f"/api/v1/approvals/{item['id']}/decision", json={"decision": "maybe"})
    assert bad.status_code == 422 and bad.json()["error"]
    ok = client.post(f"/api/v1/approvals/{item['id']}/decision", json={"decision": "approve"})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert client.get(f"/api/v1/agent-runs/{run['id']}").json()["status"] == "succeeded"
    assert llm.pages == ["Inbox"]
    twice = client.post(f"/api/v1/approvals/{item['id']}/decision", json={"decision": "reject"})
    assert twice.status_code == 409 and "approved already" in twice.json()["message"]


def test_registry_errors_export_import_and_openapi(
    client: TestClient,  # noqa: F811
    llm: LLMServer,
) -> None:
    agent = _agent(client, llm)
    bad = client.put(f"/api/v1/agents/{agent}", json={"definition": {"strategy": "guess"}})
    assert bad.status_code == 422
    assert set(bad.json()) >= {"error", "message", "details"}
    assert "strategy" in bad.json()["message"]
    missing = client.get("/api/v1/agents/" + "0" * 32)
    assert missing.status_code == 404 and "aura agent list" in missing.json()["message"]
    exported = client.get(f"/api/v1/agents/{agent}/export").json()
    imported = client.post("/api/v1/agents/import", json={"agent": exported, "name": "Copy"})
    assert imported.status_code == 201 and imported.json()["name"] == "Copy"
    state = client.post(f"/api/v1/agents/{agent}/state", json={"state": "paused"})
    assert state.status_code == 409 and "can become active, retired" in state.json()["message"]
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/agents",
        "/api/v1/agents/{agent_id}/runs",
        "/api/v1/approvals",
        "/api/v1/usage",
    } <= set(paths)
