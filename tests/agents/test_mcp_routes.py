"""``/api/v1/projects/{project_id}/mcp-servers`` on a live server: an editor adds, lists
and removes an HTTP MCP server of their project; a stdio server needs an instance admin;
another project's list is refused; bad settings are a 422 saying what to fix; testing a
real server lists its tools (502 when it cannot be reached)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.auth.types import Principal
from tests.agents.conftest import People
from tests.events.test_sse import serve


@pytest.fixture
def api(people: People) -> Iterator[str]:
    from studio.api import create_app

    with serve(create_app(runtime="inline")) as url:
        yield url + "/api/v1"


def _key(who: Principal) -> dict[str, str]:
    from engine.services import auth

    return {"X-API-Key": auth.create_api_key(who, "mcp", ["*"])[1]}


def test_project_mcp_servers_over_the_api(people: People, api: str) -> None:
    project = people.project(people.bob)
    url = f"{api}/projects/{project}/mcp-servers"
    bob = _key(people.bob)
    server = {"name": "tickets", "transport": "http", "url": "https://mcp.example.com/mcp"}
    r = httpx.put(url, json=server, headers=bob)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "tickets" and r.json()["timeout_s"] == 30
    assert [s["name"] for s in httpx.get(url, headers=bob).json()["items"]] == ["tickets"]

    stdio = {"name": "local", "transport": "stdio", "command": "/usr/bin/env"}
    r = httpx.put(url, json=stdio, headers=bob)
    assert r.status_code == 403 and set(r.json()) == {"error", "message", "details"}
    assert httpx.put(url, json=stdio, headers=_key(people.owner)).status_code == 200

    erin = _key(people.erin)
    assert httpx.get(url, headers=erin).status_code in (403, 404)
    assert httpx.put(url, json=server, headers=erin).status_code in (403, 404)

    r = httpx.put(url, json={"name": "x", "transport": "http", "url": "nope"}, headers=bob)
    assert r.status_code == 422 and "needs a 'url'" in r.json()["message"]

    assert httpx.delete(f"{url}/tickets", headers=bob).status_code == 204
    assert [s["name"] for s in httpx.get(url, headers=bob).json()["items"]] == ["local"]
    r = httpx.delete(f"{url}/tickets", headers=bob)
    assert r.status_code == 404 and "No MCP server named 'tickets'" in r.json()["message"]


def test_testing_a_server_over_the_api_lists_its_tools(
    people: People, api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.config import reset_settings
    from tests.support.mcp_server import McpHttpServer

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1/32")
    reset_settings()
    project = people.project(people.bob)
    url = f"{api}/projects/{project}/mcp-servers"
    bob = _key(people.bob)
    with McpHttpServer(tmp_path / "calls.log") as server:
        config = {"name": "desk", "transport": "http", "url": server.url, "tools": ["add"]}
        assert httpx.put(url, json=config, headers=bob).status_code == 200
        r = httpx.post(f"{url}/desk/test", headers=bob, timeout=60)
        assert r.status_code == 200, r.text
        assert r.json()["items"] == [
            {
                "name": "add",
                "called_as": "desk__add",
                "description": "Add two integers.",
                "arguments": ["a", "b"],
            }
        ]
        r = httpx.post(f"{url}/desk/test", headers=_key(people.erin), timeout=60)
        assert r.status_code in (403, 404)
    r = httpx.post(f"{url}/desk/test", headers=bob, timeout=60)  # the server is gone
    assert r.status_code == 502 and set(r.json()) == {"error", "message", "details"}
    assert r.json()["message"].startswith("Could not connect to the MCP server 'desk'")
