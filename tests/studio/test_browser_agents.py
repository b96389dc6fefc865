"""The Agents pages in a real browser (Chromium + Playwright) against the local LLM server:
the owner finds the agent in the list, asks it a question in the playground and sees the
steps as they are recorded — the model's tool call, the tool's input and output, the
tokens — and the answer; the run is in the history with its step timeline and counted in
the statistics; a sensitive tool call waits in the approvals inbox until approved there;
one nobody decides shows the time left, then, without reloading the page, moves under
'Expired recently'.

Uses the session's one production build (see conftest); ``page`` is signed in as the
owner.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.studio.conftest import Studio
from tests.support.llm_server import LLMServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT = 60_000


@pytest.fixture(scope="module")
def llm() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


def _owner(account: dict[str, str]) -> Any:
    from engine.services import auth

    tokens = auth.login(account["email"], account["password"]).tokens
    assert tokens is not None
    return auth.principal_from_access_token(tokens.access_token)


def _agent(
    owner: Any, llm: LLMServer, name: str, *, sensitive: bool = False, expiry: int | None = None
) -> str:
    from engine.services import agents, credentials

    data = {"base_url": llm.url, "api_key": "sk-browser-agent", "model": "gpt-x"}
    cred = credentials.create_credential(owner, f"LLM {name}", "openai_compatible", data).id
    definition = {
        "instructions": "Answer from the page.",
        "model": {"credential_id": cred},
        "tools": [{"kind": "http", "sensitive": sensitive}],
        "approval_timeout_s": expiry,
    }
    view = agents.create_agent(owner, name, definition, description="Reads pages.")
    agents.set_state(owner, view.id, "active")
    return view.id


def _page_url(llm: LLMServer) -> str:
    return llm.url.removesuffix("/v1") + "/page?name=Browser"


def test_the_playground_shows_each_step_live_and_the_run_is_kept(
    page: Any, studio: Studio, owner_account: dict[str, str], llm: LLMServer
) -> None:
    agent = _agent(_owner(owner_account), llm, "Page reader")
    llm.play(
        {"tool": "http_request", "args": {"url": _page_url(llm)}},
        {"text": "The page greets Browser."},
    )
    page.goto(f"{studio.url}/agents")
    page.locator(".agent-row", has_text="Page reader").get_by_role("link").click()
    page.wait_for_selector("#agent-title >> text=Page reader", timeout=WAIT)
    page.fill("#agent-prompt", "What does the page say?")
    page.click("#agent-send")
    tool = page.locator('.agent-step[data-kind="tool"]').first
    tool.wait_for(timeout=WAIT)
    assert "http_request" in tool.inner_text()
    tool.locator(".step-output", has_text="Browser").wait_for(timeout=WAIT)
    assert _page_url(llm) in tool.locator(".step-input").inner_text()
    model = page.locator('.agent-step[data-kind="model"]').first
    assert " in / " in model.locator(".step-tokens").inner_text()  # tokens of the call
    page.wait_for_selector(".chat-agent >> text=The page greets Browser.", timeout=WAIT)
    page.wait_for_selector("#run-status >> text=succeeded", timeout=WAIT)

    page.get_by_role("tab", name="Runs").click()
    page.locator(".run-row", has_text="What does the page say?").get_by_role("link").click()
    timeline = page.locator("#run-timeline")
    timeline.locator('.agent-step[data-kind="tool"]').wait_for(timeout=WAIT)
    page.get_by_role("tab", name="Statistics").click()
    stats = page.locator("#agent-stats")
    stats.get_by_text("100.0%").wait_for(timeout=WAIT)
    assert agent in page.url


def test_a_sensitive_tool_call_waits_in_the_inbox_until_approved(
    page: Any, studio: Studio, owner_account: dict[str, str], llm: LLMServer
) -> None:
    from engine.services import agents

    owner = _owner(owner_account)
    agent = _agent(owner, llm, "Careful reader", sensitive=True)
    llm.play(
        {"tool": "http_request", "args": {"url": _page_url(llm)}},
        {"text": "Approved, and the page greets Browser."},
    )
    handle = agents.start_run(owner, agent, "Read the page", runtime="inline")
    assert agents.get_run(owner, handle.id)["status"] == "waiting"
    page.goto(f"{studio.url}/approvals")
    card = page.locator(".approval", has_text="http_request")
    card.wait_for(timeout=WAIT)
    card.get_by_role("button", name="Approve").click()
    page.wait_for_selector("text=Approved: the run goes on.", timeout=WAIT)
    for _ in range(200):
        run = agents.get_run(owner, handle.id)
        if run["status"] not in ("waiting", "queued", "running"):
            break
        page.wait_for_timeout(100)
    assert run["status"] == "succeeded" and run["answer"].startswith("Approved")


def test_the_inbox_shows_the_time_left_then_the_expired_approval(
    page: Any, studio: Studio, owner_account: dict[str, str], llm: LLMServer
) -> None:
    from engine.services import agents

    owner = _owner(owner_account)
    agent = _agent(owner, llm, "Hurried reader", sensitive=True, expiry=15)
    llm.play(
        {"tool": "http_request", "args": {"url": _page_url(llm)}},
        {"text": "The model is not asked again."},
    )
    handle = agents.start_run(owner, agent, "Read the page soon", runtime="inline")
    page.goto(f"{studio.url}/approvals")
    card = page.locator(".approval", has_text="Hurried reader")
    card.wait_for(timeout=WAIT)
    assert card.locator(".approval-expiry").inner_text().startswith("Expires in ")
    expired = page.locator("#approvals-expired .approval-expired", has_text="Hurried reader")
    expired.wait_for(timeout=WAIT)  # the open page refreshed itself; nobody reloaded it
    assert "nobody decided in time" in expired.locator(".approval-expiry").inner_text()
    assert page.locator(".approval", has_text="Hurried reader").count() == 0
    run = agents.get_run(owner, handle.id)
    assert run["status"] == "failed" and run["error"]["code"] == "approval_expired"
