"""The agent editor and the MCP servers page in a real browser (Chromium + Playwright).

* Editor: the owner picks the model credential from a list, adds tools from the picker
  (a workflow with its arguments, HTTP, a knowledge base, an MCP server, Python code, the
  Crypto node with the parameters its operation needs), marks one as needing approval,
  types a wrong step limit and reads the plain-words error beside it (nothing saved),
  corrects it and saves a version that holds exactly what the form showed. A node
  tool's headers and JSON body are JSON editors: text that is not JSON is said under the
  field and refused on save; corrected, it is saved as JSON.
* A knowledge tool's re-ranker: a select of None and the engine's re-rankers (one a
  package registered among them); the one chosen is saved and shown again after a reload;
  one the engine no longer has (its package removed) is refused beside the tool, naming
  those it has.
* MCP servers: the owner adds an HTTP server (token from a credential) to the project,
  tests the connection and sees the tools an agent would get, edits it to offer one tool
  only, and removes it after confirming.

Uses the session's one production build (see conftest); ``page`` is signed in as the
owner. Screenshots go to AURA_SCREENSHOTS.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.studio.conftest import Studio
from tests.support.mcp_server import McpHttpServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT = 60_000
TOKEN = "mcp-browser-token-77"


@pytest.fixture(scope="module")
def mcp_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpHttpServer]:
    log = tmp_path_factory.mktemp("mcp") / "calls.log"
    with McpHttpServer(log, token=TOKEN) as server:
        yield server


def _owner(account: dict[str, str]) -> Any:
    from engine.services import auth

    tokens = auth.login(account["email"], account["password"]).tokens
    assert tokens is not None
    return auth.principal_from_access_token(tokens.access_token)


def _workflow(owner: Any, project: str) -> str:
    from engine.graph import load_workflow
    from engine.services.store import get_store

    definition = {
        "name": "City weather",
        "nodes": [
            {
                "name": "Called",
                "type": "core.workflow_trigger",
                "parameters": {
                    "input_source": "define_fields",
                    "fields": [{"name": "city", "type": "string"}],
                },
            },
            {"name": "Answer", "type": "core.set", "parameters": {"assignments": []}},
        ],
        "connections": [{"source": "Called", "target": "Answer"}],
    }
    return str(get_store().workflows.create(load_workflow(definition), project_id=project).id)


def _fill(page: Any, selector: str, value: str) -> None:
    field = page.locator(selector)
    field.fill(value)
    page.wait_for_timeout(300)  # the debounced change reaches the server


def test_the_agent_editor_saves_tools_limits_and_approvals_from_form_fields(
    page: Any, studio: Studio, owner_account: dict[str, str], shot: Any
) -> None:
    from engine.services import agents, auth, credentials, knowledge, mcp

    owner = _owner(owner_account)
    project = str(auth.default_project(owner))
    data = {"base_url": "https://llm.example.com/v1", "api_key": "sk-editor", "model": "m"}
    cred = credentials.create_credential(owner, "Team model", "openai_compatible", data).id
    wid = _workflow(owner, project)
    knowledge.create_base(owner, "handbook", project_id=project)
    mcp.save_server(
        owner, project, {"name": "tickets", "transport": "http", "url": "https://t.example/mcp"}
    )
    view = agents.create_agent(owner, "Form-made helper", project_id=project)

    page.goto(f"{studio.url}/agents/{view.id}")
    page.wait_for_selector("#agent-title >> text=Form-made helper", timeout=WAIT)
    page.get_by_role("tab", name="Editor").click()
    page.fill("#agent-instructions", "Answer about the weather and tickets.")
    page.click("#agent-credential_id")
    page.get_by_role("option", name="Team model (openai_compatible)").click()

    page.click("#agent-add-tool")
    picker = page.locator("#tool-picker")
    labels = ("HTTP requests", "City weather", "handbook", "tickets", "Python code", "Crypto")
    for label in labels:
        choice = picker.locator(".tool-choice", has_text=label).first
        choice.get_by_role("button", name="Add").click()
        page.locator(".agent-tool", has_text=label).first.wait_for(timeout=WAIT)
        if label != labels[-1]:
            page.click("#agent-add-tool")
    tools = page.locator(".agent-tool")
    assert tools.count() == 6
    crypto = page.locator('.agent-tool[data-kind="node"]')
    assert crypto.locator('.node-field[data-key="algorithm"]').count() == 1  # 'hash' fields
    assert crypto.locator('.node-field[data-key="generate_type"]').count() == 0
    _fill(page, '.agent-tool[data-kind="node"] .tool-args input', "text")
    _fill(
        page,
        '.agent-tool[data-kind="node"] .node-field[data-key="value"] input',
        "{{ $json.text }}",
    )
    _fill(page, '.agent-tool[data-kind="code"] .tool-timeout input', "5")
    weather = page.locator('.agent-tool[data-kind="workflow"]')
    assert "arguments: city" in weather.inner_text()
    http = page.locator('.agent-tool[data-kind="http"]')
    http.locator(".tool-sensitive").click()

    _fill(page, "#agent-max_steps", "0")
    _fill(page, "#agent-approval_timeout_s", "300")
    page.click("#agent-save")
    error = page.locator('.field-error[data-field="max_steps"]')
    error.wait_for(timeout=WAIT)
    assert error.inner_text() == "'0' is not a valid value: enter a whole number from 1 to 1000."
    page.wait_for_selector("#agent-form-error >> text=1 setting to correct", timeout=WAIT)
    assert agents.get_agent(owner, view.id).version == 1  # nothing saved
    shot(page, "agent-editor-error")

    _fill(page, "#agent-max_steps", "8")
    page.click("#agent-save")
    page.wait_for_selector("text=Saved version 2.", timeout=WAIT)
    assert page.locator(".field-error").count() == 0
    page.locator("#agent-tools").scroll_into_view_if_needed()
    path: Path = shot(page, "agent-editor-saved")
    assert path.exists()

    saved = agents.get_agent(owner, view.id).definition
    assert saved["instructions"] == "Answer about the weather and tickets."
    assert saved["model"]["credential_id"] == cred and saved["model"]["provider"] == "openai"
    assert saved["limits"]["max_steps"] == 8 and saved["approval_timeout_s"] == 300
    by_kind = {t["kind"]: t for t in saved["tools"]}
    assert set(by_kind) == {"http", "workflow", "knowledge", "mcp", "code", "node"}
    assert by_kind["code"]["timeout_s"] == 5
    assert by_kind["node"]["node_type"] == "core.crypto"
    assert by_kind["node"]["parameters"]["value"] == "{{ $json.text }}"
    assert by_kind["node"]["input_schema"]["required"] == ["text"]
    assert by_kind["http"]["sensitive"] is True and by_kind["workflow"]["sensitive"] is False
    assert by_kind["workflow"]["workflow_id"] == wid
    assert by_kind["workflow"]["input_schema"]["properties"] == {"city": {"type": "string"}}
    assert by_kind["knowledge"]["knowledge_bases"] == ["handbook"]
    assert by_kind["mcp"]["servers"] == ["tickets"]


def test_a_node_tools_headers_and_json_body_are_edited_as_json(
    page: Any, studio: Studio, owner_account: dict[str, str]
) -> None:
    from engine.services import agents, auth

    owner = _owner(owner_account)
    project = str(auth.default_project(owner))
    tool = {
        "kind": "node",
        "name": "post_weather",
        "node_type": "core.http_request",
        "parameters": {"url": "https://api.example.com/w", "method": "POST", "body_type": "json"},
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
    view = agents.create_agent(owner, "JSON-minded", {"tools": [tool]}, project_id=project)
    page.goto(f"{studio.url}/agents/{view.id}")
    page.wait_for_selector("#agent-title >> text=JSON-minded", timeout=WAIT)
    page.get_by_role("tab", name="Editor").click()
    headers = page.locator('.agent-tool[data-kind="node"] .node-field[data-key="headers"]')
    headers.locator("textarea").wait_for(timeout=WAIT)
    _fill(page, '.node-field[data-key="headers"] textarea', '[{"name": "Accept"')
    error = headers.locator(".node-field-error")
    error.wait_for(timeout=WAIT)
    assert error.inner_text().startswith("Headers: this is not JSON (Expecting")
    assert headers.locator("textarea").get_attribute("aria-invalid") == "true"
    page.click("#agent-save")
    page.wait_for_selector(".tool-error >> text=Headers: this is not JSON", timeout=WAIT)
    assert agents.get_agent(owner, view.id).version == 1  # nothing saved

    _fill(
        page,
        '.node-field[data-key="headers"] textarea',
        '[{"name": "Accept", "value": "application/json"}]',
    )
    error.wait_for(state="detached", timeout=WAIT)
    _fill(page, '.node-field[data-key="json_body"] textarea', '{"city": "{{ $json.city }}"}')
    page.click("#agent-save")
    page.wait_for_selector("text=Saved version 2.", timeout=WAIT)
    saved = agents.get_agent(owner, view.id).definition["tools"][0]["parameters"]
    assert saved["headers"] == [{"name": "Accept", "value": "application/json"}]
    assert saved["json_body"] == {"city": "{{ $json.city }}"}


def _open_editor(page: Any, studio: Studio, agent_id: str, title: str) -> Any:
    page.goto(f"{studio.url}/agents/{agent_id}")
    page.wait_for_selector(f"#agent-title >> text={title}", timeout=WAIT)
    page.get_by_role("tab", name="Editor").click()
    card = page.locator('.agent-tool[data-kind="knowledge"]')
    card.locator(".tool-rerank").wait_for(timeout=WAIT)
    return card


def test_a_knowledge_tools_reranker_is_chosen_saved_and_kept(
    page: Any,
    studio: Studio,
    owner_account: dict[str, str],
    shot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.knowledge import rerank
    from engine.services import agents, auth, knowledge

    # a package's re-ranker (the studio's backend runs in this process)
    monkeypatch.setitem(rerank._RERANKERS, "shortest", lambda query, hits: hits)
    owner = _owner(owner_account)
    project = str(auth.default_project(owner))
    knowledge.create_base(owner, "manuals", project_id=project)
    tool = {"kind": "knowledge", "knowledge_bases": ["manuals"]}
    view = agents.create_agent(owner, "Manual reader", {"tools": [tool]}, project_id=project)

    card = _open_editor(page, studio, view.id, "Manual reader")
    select = card.get_by_role("combobox", name="Re-ranker")
    assert select.inner_text() == "None"
    select.click()
    offered = page.get_by_role("option").all_inner_texts()
    assert offered == ["None", "keywords", "shortest"]
    page.get_by_role("option", name="keywords").click()
    page.wait_for_timeout(300)
    card.scroll_into_view_if_needed()
    shot(page, "agent-editor-reranker")
    page.click("#agent-save")
    page.wait_for_selector("text=Saved version 2.", timeout=WAIT)
    assert agents.get_agent(owner, view.id).definition["tools"][0]["rerank"] == "keywords"

    card = _open_editor(page, studio, view.id, "Manual reader")  # opened again
    select = card.get_by_role("combobox", name="Re-ranker")
    assert select.inner_text() == "keywords"
    select.click()
    page.get_by_role("option", name="shortest").click()
    page.wait_for_timeout(300)
    page.click("#agent-save")
    page.wait_for_selector("text=Saved version 3.", timeout=WAIT)

    monkeypatch.delitem(rerank._RERANKERS, "shortest")  # its package is removed
    card = _open_editor(page, studio, view.id, "Manual reader")
    page.click("#agent-save")
    error = card.locator(".tool-error")
    error.wait_for(timeout=WAIT)
    assert error.inner_text() == (
        "Unknown re-ranker 'shortest': choose None (the search's own order) or one of keywords."
    )
    assert agents.get_agent(owner, view.id).version == 3  # nothing saved
    card.get_by_role("combobox", name="Re-ranker").click()
    page.get_by_role("option", name="None").click()
    page.wait_for_timeout(300)
    page.click("#agent-save")
    page.wait_for_selector("text=Saved version 4.", timeout=WAIT)
    assert agents.get_agent(owner, view.id).definition["tools"][0]["rerank"] is None


def test_the_mcp_servers_page_adds_tests_edits_and_removes_a_server(
    page: Any,
    studio: Studio,
    owner_account: dict[str, str],
    mcp_http: McpHttpServer,
    shot: Any,
) -> None:
    from engine.services import auth, credentials, mcp

    owner = _owner(owner_account)
    project = str(auth.default_project(owner))
    for old in mcp.list_servers(owner, project):
        mcp.delete_server(owner, project, old.name)
    credentials.create_credential(owner, "Ticket token", "bearer", {"token": TOKEN})

    page.goto(f"{studio.url}/agents")
    page.click("#mcp-servers-link")
    page.wait_for_selector("text=No MCP servers in this project", timeout=WAIT)
    page.click("#mcp-add")
    _fill(page, "#mcp-name", "Ticket Desk")
    _fill(page, "#mcp-url", mcp_http.url)
    page.click("#mcp-credential_id")
    page.get_by_role("option", name="Ticket token (bearer)").click()
    page.click("#mcp-save")
    name_error = page.locator('.field-error[data-field="name"]')
    name_error.wait_for(timeout=WAIT)
    assert "lower-case letters" in name_error.inner_text()
    _fill(page, "#mcp-name", "desk")
    page.click("#mcp-save")
    page.wait_for_selector("text=Saved the MCP server 'desk'.", timeout=WAIT)
    row = page.locator('.mcp-row[data-name="desk"]')
    assert mcp_http.url in row.inner_text() and "Ticket token" in row.inner_text()

    row.locator(".mcp-test").click()
    page.wait_for_selector("#mcp-test-ok", timeout=WAIT)
    called = page.locator(".mcp-tool").all_inner_texts()
    assert any("desk__add" in t and "a, b" in t for t in called)
    assert any("desk__lookup_ticket" in t for t in called)
    shot(page, "mcp-servers-tested")

    row.locator(".mcp-edit").click()
    # the form holds the saved server before a field is typed into (a late load would
    # undo the typing), and the first save's message is still shown: wait for the store
    page.wait_for_function(
        "() => document.querySelector('#mcp-name')?.value === 'desk'", timeout=WAIT
    )
    _fill(page, "#mcp-tools", "add")
    page.click("#mcp-save")
    page.wait_for_selector("text=Saved the MCP server 'desk'.", timeout=WAIT)
    deadline = time.monotonic() + WAIT / 1000
    while (tools := [s.tools for s in mcp.list_servers(owner, project)]) != [["add"]]:
        assert time.monotonic() < deadline, tools
        page.wait_for_timeout(200)
    row.locator(".mcp-test").click()
    page.wait_for_selector("#mcp-test-ok >> text=1 tool(s)", timeout=WAIT)

    row.locator(".mcp-remove").click()
    page.click("#mcp-confirm-ok")
    page.wait_for_selector("text=Removed the MCP server 'desk'.", timeout=WAIT)
    page.wait_for_selector("text=No MCP servers in this project", timeout=WAIT)
    assert mcp.list_servers(owner, project) == []
