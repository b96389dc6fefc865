"""AURA's MCP server (``/api/v1/mcp``) on a live uvicorn server, used with the ``mcp``
SDK's own client: what an outside MCP client notices — with an API key it lists the
workflows chosen for MCP (with the input schema of their trigger's fields) and calls
them, getting the workflow's result; workflows not exposed, or of a project the key's
user is not in, are not offered and cannot be called; no key, a bad key or a revoked key
is refused with a 401 that says what to do; a failing workflow is a tool error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from engine.auth.types import Principal
from tests.agents.conftest import People
from tests.agents.test_agent_node import _store
from tests.events.test_sse import serve


def _exposed(name: str, forecast: str, expose: bool = True, fail: bool = False) -> dict[str, Any]:
    last: dict[str, Any] = {
        "name": "Look up",
        "type": "core.set",
        "parameters": {
            "assignments": [{"name": "forecast", "value": forecast + " in {{ $json.city }}"}]
        },
    }
    if fail:
        last = {
            "name": "Look up",
            "type": "core.stop_and_error",
            "parameters": {"message": "the forecast service is closed"},
        }
    return {
        "name": name,
        "description": "The weather forecast for a city.",
        "meta": {"mcp": {"expose": expose}},
        "nodes": [
            {
                "name": "Called",
                "type": "core.workflow_trigger",
                "parameters": {
                    "input_source": "define_fields",
                    "fields": [{"name": "city", "type": "string"}],
                },
            },
            last,
        ],
        "connections": [{"source": "Called", "target": "Look up"}],
    }


@pytest.fixture
def api(people: People) -> Iterator[str]:
    from studio.api import create_app

    with serve(create_app(runtime="inline")) as url:
        yield url + "/api/v1/mcp"


def _key(who: Principal, scopes: list[str] | None = None) -> tuple[str, str]:
    from engine.services import auth

    info, key = auth.create_api_key(who, "mcp", scopes or ["*"])
    return info.id, key


def _client_run(url: str, key: str, work: Any) -> Any:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def main() -> Any:
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http,
            Client(streamable_http_client(url, http_client=http), mode="legacy") as c,
        ):
            return await work(c)

    return anyio.run(main)


def test_an_mcp_client_lists_and_calls_the_exposed_workflows_of_its_keys_user(
    people: People, api: str
) -> None:
    _store(people, people.bob, _exposed("Forecast", "sunny"))
    _store(people, people.bob, _exposed("Hidden forecast", "rain", expose=False))
    _store(people, people.erin, _exposed("Erin forecast", "snow"))
    _, key = _key(people.bob)

    async def work(c: Any) -> Any:
        listing = await c.list_tools()
        result = await c.call_tool("forecast", {"city": "Oslo"})
        other = await c.call_tool("erin_forecast", {"city": "Oslo"})
        return listing, result, other

    listing, result, other = _client_run(api, key, work)
    assert [t.name for t in listing.tools] == ["forecast"]
    tool = listing.tools[0]
    assert tool.description == "The weather forecast for a city."
    assert tool.input_schema["properties"] == {"city": {"type": "string"}}
    assert tool.input_schema["required"] == ["city"]
    assert not result.is_error
    assert result.structured_content == {"result": {"city": "Oslo", "forecast": "sunny in Oslo"}}
    # Erin's workflow is exposed too, but not to Bob's key: as if it did not exist
    assert other.is_error and "No tool named 'erin_forecast'" in other.content[0].text


def test_each_call_is_a_recorded_execution_of_the_keys_principal(people: People, api: str) -> None:
    from engine.services.store import get_store

    wid = _store(people, people.bob, _exposed("Forecast", "sunny"))
    key_id, key = _key(people.bob)

    async def work(c: Any) -> Any:
        return await c.call_tool("forecast", {"city": "Bergen"})

    _client_run(api, key, work)
    rows, _ = get_store().executions.list(workflow_id=wid)
    assert len(rows) == 1
    row = rows[0]
    assert row.principal_kind == "api_key" and row.principal_api_key_id == key_id
    assert str(row.status) == "succeeded"


def test_a_failing_workflow_is_a_tool_error_with_its_message(people: People, api: str) -> None:
    _store(people, people.bob, _exposed("Forecast", "sunny", fail=True))
    _, key = _key(people.bob)

    async def work(c: Any) -> Any:
        return await c.call_tool("forecast", {"city": "Oslo"})

    result = _client_run(api, key, work)
    assert result.is_error
    assert "the forecast service is closed" in result.content[0].text


def test_without_a_valid_api_key_the_server_answers_401_saying_what_to_send(
    people: People, api: str
) -> None:
    from engine.services import auth

    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream"}
    r = httpx.post(api, json=body, headers=headers)
    assert r.status_code == 401
    assert r.json()["error"] and "API key" in r.json()["message"]
    r = httpx.post(api, json=body, headers={**headers, "Authorization": "Bearer aura_nope"})
    assert r.status_code == 401
    key_id, key = _key(people.bob)
    auth.revoke_api_key(people.bob, key_id)
    r = httpx.post(api, json=body, headers={**headers, "X-API-Key": key})
    assert r.status_code == 401
    assert set(r.json()) == {"error", "message", "details"}


def test_a_key_without_the_execute_scope_sees_no_tools(people: People, api: str) -> None:
    _store(people, people.bob, _exposed("Forecast", "sunny"))
    _, key = _key(people.bob, ["workflow:read"])

    async def work(c: Any) -> Any:
        return await c.list_tools(), await c.call_tool("forecast", {"city": "Oslo"})

    listing, result = _client_run(api, key, work)
    assert listing.tools == []
    assert result.is_error


def test_active_agents_are_tools_too(people: People, api: str, llm: Any) -> None:
    from engine.services import agents, credentials

    data = {"base_url": llm.url, "api_key": "sk-mcp-agent-1", "model": "gpt-x"}
    cred = credentials.create_credential(people.bob, "LLM", "openai_compatible", data).id
    definition = {"instructions": "Be brief.", "model": {"credential_id": cred}}
    helper = agents.create_agent(people.bob, "Order helper", definition, description="Orders.")
    agents.set_state(people.bob, helper.id, "active")
    agents.create_agent(people.bob, "Draft helper", definition)  # a draft: not offered
    _, key = _key(people.bob)
    llm.play({"text": "Order T-7 ships tomorrow."})

    async def work(c: Any) -> Any:
        return await c.list_tools(), await c.call_tool(
            "agent_order_helper", {"prompt": "Where is T-7?"}
        )

    listing, result = _client_run(api, key, work)
    assert [(t.name, t.description) for t in listing.tools] == [("agent_order_helper", "Orders.")]
    assert listing.tools[0].input_schema["required"] == ["prompt"]
    assert not result.is_error, result.content
    assert result.structured_content["result"]["answer"] == "Order T-7 ships tomorrow."
    assert llm.requests[-1].body["messages"][-1]["content"] == "Where is T-7?"
