"""The console's agents screen (key 6) against a real API server and the local LLM server:
the operator sees the agent, its run waiting for approval and the call in the inbox;
pressing ``y`` approves it, the run goes on and the screen shows it succeeded and the
inbox empty. An approval nobody decides shows its time left counting down, then shows
as expired (its run failed, saying so) and can no longer be approved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import DataTable

from tests.support.llm_server import LLMServer
from tests.tui._helpers import cells, make_app, signed_in, wait_for
from tests.tui._server import (
    EMAIL,
    PASSWORD,
    Server,
    aura_cli,
    free_port,
    server_env,
    start_server,
    stop_server,
)
from tui.screens.agents import AgentsScreen

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def llm() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


@pytest.fixture(scope="module")
def agent_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose outbound rule allows the loopback LLM server."""
    base = tmp_path_factory.mktemp("tui-agents")
    data_dir = base / "data"
    env = {**server_env(data_dir), "AURA_HTTP_ALLOW": "127.0.0.1/32"}
    aura_cli(
        env, "user", "create-owner", "--email", EMAIL, "--password", PASSWORD, "--name", "Operator"
    )
    out = aura_cli(env, "user", "api-key", "create", EMAIL, "--name", "agents tests")
    key = re.search(r"^(aura_\S+)$", out, re.M)
    assert key, out
    port = free_port()
    log = base / "server.log"
    proc = start_server(data_dir, port, env, log)
    try:
        yield Server(f"http://127.0.0.1:{port}", data_dir, key.group(1), env, {}, log)
    finally:
        stop_server(proc)


def _arrange(
    server: Server, llm: LLMServer, name: str = "Careful reader", timeout_s: float | None = None
) -> str:
    """An active agent whose HTTP tool is sensitive (its approvals expiring after
    ``timeout_s``), and a run waiting for approval."""
    with server.client() as c:
        cred = c.post(
            "/credentials",
            json={
                "name": "LLM",
                "kind": "openai_compatible",
                "data": {"base_url": llm.url, "api_key": "sk-console", "model": "gpt-x"},
            },
        )
        assert cred.status_code == 201, cred.text
        agent = c.post(
            "/agents",
            json={
                "name": name,
                "definition": {
                    "model": {"credential_id": cred.json()["id"]},
                    "tools": [{"kind": "http", "sensitive": True}],
                    "approval_timeout_s": timeout_s,
                },
            },
        )
        assert agent.status_code == 201, agent.text
        aid = agent.json()["id"]
        assert c.post(f"/agents/{aid}/state", json={"state": "active"}).status_code == 200
        page = llm.url.removesuffix("/v1") + "/page?name=Console"
        llm.play(
            {"tool": "http_request", "args": {"url": page}}, {"text": "The page greets Console."}
        )
        run = c.post(f"/agents/{aid}/runs", json={"prompt": "Read the page", "wait": 30})
        assert run.status_code in (200, 201, 202), run.text
        assert run.json()["status"] == "waiting", run.json()
        return str(run.json()["id"])


async def test_the_inbox_approves_and_the_run_goes_on(
    agent_server: Server, llm: LLMServer, config_file: Path
) -> None:
    run_id = _arrange(agent_server, llm)
    app = make_app(agent_server, config_file, api_key=agent_server.api_key)
    async with app.run_test(size=(160, 45)) as pilot:
        await signed_in(pilot)
        await pilot.press("6")
        screen: Any = await wait_for(
            pilot,
            lambda: isinstance(app.screen, AgentsScreen) and app.screen.runs and app.screen,
            what="agents with their runs",
        )
        agents = cells(screen.query_one("#agents-table", DataTable))
        assert agents[0][0] == "Careful reader" and "active" in agents[0][1]
        runs = cells(screen.query_one("#runs-table", DataTable))
        assert "waiting" in runs[0][1] and runs[0][2] == "Read the page"
        inbox = screen.query_one("#inbox-table", DataTable)
        assert inbox.row_count == 1 and "http_request" in cells(inbox)[0][3]
        assert cells(inbox)[0][1] == "no limit"
        await pilot.press("i", "y")
        await wait_for(pilot, lambda: inbox.row_count == 0, what="the inbox emptied")
        await wait_for(
            pilot,
            lambda: "succeeded" in cells(screen.query_one("#runs-table", DataTable))[0][1],
            timeout=30,
            what="the run succeeded",
        )
    with httpx.Client(
        base_url=agent_server.url + "/api/v1", headers={"X-API-Key": agent_server.api_key}
    ) as c:
        run = c.get(f"/agent-runs/{run_id}").json()
    assert run["status"] == "succeeded" and run["answer"] == "The page greets Console."


async def test_the_inbox_counts_down_and_shows_the_expired_approval(
    agent_server: Server, llm: LLMServer, config_file: Path
) -> None:
    # 14 s: the inbox shows it before it expires even on busy cores (8 s expired first once)
    run_id = _arrange(agent_server, llm, "Hasty reader", timeout_s=14)
    app = make_app(agent_server, config_file, api_key=agent_server.api_key)
    async with app.run_test(size=(160, 45)) as pilot:
        await signed_in(pilot)
        await pilot.press("6")
        screen: Any = await wait_for(
            pilot,
            lambda: isinstance(app.screen, AgentsScreen) and app.screen.approvals and app.screen,
            what="the inbox",
        )
        inbox = screen.query_one("#inbox-table", DataTable)
        row = next(r for r in cells(inbox) if "http_request" in r[3])
        assert re.fullmatch(r"in \d+s \(\d\d:\d\d:\d\d\)", row[1]), row
        before = row[1]
        await wait_for(
            pilot,
            lambda: next(r for r in cells(inbox) if "http_request" in r[3])[1] != before,
            what="the time left counting down",
        )
        # nobody decides: at zero the console reloads, and the server expires it
        await wait_for(
            pilot,
            lambda: [r for r in cells(inbox) if r[1].startswith("expired ")],
            timeout=40,
            what="the approval shown expired",
        )
        expired = [i for i, r in enumerate(cells(inbox)) if r[1].startswith("expired ")]
        assert len(expired) == 1 and screen.approvals[expired[0]].execution_id == run_id
        inbox.focus()
        inbox.move_cursor(row=expired[0])
        app.clear_notifications()
        await pilot.press("y")
        await pilot.pause()
        assert [n.message for n in app._notifications][-1].startswith(
            "This approval expired: nobody decided in time"
        )
    with httpx.Client(
        base_url=agent_server.url + "/api/v1", headers={"X-API-Key": agent_server.api_key}
    ) as c:
        run = c.get(f"/agent-runs/{run_id}").json()
        pending = c.get("/approvals").json()["items"]
        expired = c.get("/approvals", params={"status": "expired"}).json()["items"]
        bad = c.get("/approvals", params={"status": "lost"})
    assert run["status"] == "failed" and run["error"]["code"] == "approval_expired"
    assert run_id not in [a["execution_id"] for a in pending]
    assert [(a["execution_id"], a["status"]) for a in expired] == [(run_id, "expired")]
    assert bad.status_code == 422 and set(bad.json()) == {"error", "message", "details"}
