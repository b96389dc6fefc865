"""The studio in a real browser, used the way a new user would (Chromium + Playwright).

One production build serves every test (see conftest). Screenshots of each page are
saved under AURA_SCREENSHOTS for people to look at.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "orders.json"
NODE = '[data-testid="aura-node"][data-name="{}"]'


def _operator() -> Any:
    from engine.auth.types import Principal

    return Principal(user_id=None, email=None, role="owner")  # acting without an account


def _seed(definition: dict[str, Any]) -> str:
    """Stores a workflow directly (the backend runs in this process) and returns its id."""
    from studio.logic import backend

    return backend.create_workflow(_operator(), definition=definition)


def _seed_as_owner(definition: dict[str, Any]) -> str:
    """Stores a workflow as the signed-in owner would: in the owner's personal project,
    where the owner's credentials may be used."""
    from engine.services import auth
    from engine.services.store import get_store
    from studio.logic import backend
    from tests.studio.conftest import OWNER

    user = get_store().users.by_email(OWNER["email"])
    assert user is not None
    p = auth.principal_for_session(user.id)
    assert p is not None
    return backend.create_workflow(p, definition=definition)


def _orders() -> dict[str, Any]:
    data = json.loads(EXAMPLE.read_text())
    data["name"] = f"Orders {uuid.uuid4().hex[:6]}"
    return data


def _open_editor(page: Any, base: str, wid: str) -> None:
    page.goto(f"{base}/workflows/{wid}")
    page.wait_for_selector('[data-testid="aura-node"]', timeout=60_000)


def _count(page: Any) -> int:
    return int(page.locator('[data-testid="aura-node"]').count())


def _wait_count(page: Any, n: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=\"aura-node\"]').length === {n}",
        timeout=10_000)


def test_build_configure_run_pin_save_reload(page: Any, studio_url: str, shot: Any) -> None:
    page.goto(f"{studio_url}/workflows")
    page.click("#new-workflow")
    page.fill("#new-workflow-name", "Greeting")
    page.click("#create-workflow")
    page.wait_for_selector("#add-first-step", timeout=60_000)
    shot(page, "editor-empty")

    # drag two nodes from the palette onto the canvas
    page.click("#add-first-step")
    pane = page.locator(".react-flow__pane")
    page.locator('[data-node-type="core.manual_trigger"]').drag_to(
        pane, target_position={"x": 250, "y": 300})
    page.wait_for_selector(NODE.format("Manual Trigger"))
    page.fill("#palette-search", "edit fields")
    page.wait_for_selector('[data-node-type="core.manual_trigger"]', state="detached")
    page.locator('[data-node-type="core.set"]').drag_to(pane, target_position={"x": 620, "y": 300})
    page.wait_for_selector(NODE.format("Edit Fields (Set)"))

    # connect the trigger's output to the Set node's input
    page.locator(f'.react-flow__node:has({NODE.format("Manual Trigger")}) '
                 '.react-flow__handle.source').drag_to(
        page.locator(f'.react-flow__node:has({NODE.format("Edit Fields (Set)")}) '
                     '.react-flow__handle.target'))
    page.wait_for_selector(".react-flow__edge", state="attached")

    # configure a parameter with an expression; the preview shows its value
    page.locator(NODE.format("Edit Fields (Set)")).dblclick()
    page.wait_for_selector("#node-panel")
    page.click('[data-testid="add-assignments"]')
    page.fill('[data-path="assignments.0.name"]', "greeting")
    page.locator('[data-path="assignments.0.name"]').press("Tab")
    page.locator('[data-field="assignments.0.value"]').get_by_role(
        "radio", name="Expression").click()
    expr = page.locator('[data-field="assignments.0.value"] textarea')
    expr.wait_for()
    assert expr.input_value() == ""  # nothing pre-filled (issue 19)
    expr.fill("Hello {{ 'wor' + 'ld' }}")
    expr.press("Tab")
    page.wait_for_selector('[data-testid="expr-preview"] >> text=Hello world')
    shot(page, "node-panel-expression")

    # run this node (and what feeds it), inspect its output three ways
    page.click("#run-node")
    page.wait_for_function("document.querySelector('#out-count')?.innerText.startsWith('1 item')",
                           timeout=30_000)
    assert "Hello world" in page.inner_text("#out-data")
    page.click("#out-view >> text=JSON")
    page.wait_for_function(
        "document.querySelector('#out-data')?.innerText.includes('\"greeting\": \"Hello')")
    page.click("#out-view >> text=Schema")
    page.wait_for_selector("#out-data .aura-schema-path >> text=greeting")
    shot(page, "node-panel-output")

    # pin the output, close the panel, save, reload
    page.click("#pin-output")
    page.wait_for_selector("#pin-output >> text=Unpin")
    page.click("#close-node-panel")
    page.wait_for_selector("#node-panel", state="detached")
    page.wait_for_selector(f'.react-flow__node:has({NODE.format("Edit Fields (Set)")}) .aura-pin')
    assert page.locator(NODE.format("Edit Fields (Set)")).get_attribute("data-status") == \
        "succeeded"
    page.keyboard.press("Control+s")
    page.wait_for_selector("#save-state >> text=v2")
    page.reload()
    page.wait_for_selector(NODE.format("Edit Fields (Set)"), timeout=60_000)
    page.wait_for_selector(f'.react-flow__node:has({NODE.format("Edit Fields (Set)")}) .aura-pin')
    assert page.locator(".react-flow__edge").count() == 1
    shot(page, "editor-saved")


def test_canvas_editing_with_the_keyboard(page: Any, studio_url: str, shot: Any) -> None:
    wid = _seed(_orders())
    _open_editor(page, studio_url, wid)
    assert _count(page) == 7
    page.locator(NODE.format("Priority")).click()
    page.wait_for_selector(".react-flow__node.selected")
    page.keyboard.press("Control+c")
    page.mouse.move(700, 650)
    page.keyboard.press("Control+v")
    _wait_count(page, 8)
    page.wait_for_selector(NODE.format("Priority1"))
    page.keyboard.press("Control+z")
    _wait_count(page, 7)
    page.keyboard.press("Control+Shift+z")
    _wait_count(page, 8)
    page.locator(NODE.format("Priority1")).click()
    page.keyboard.press("Delete")
    _wait_count(page, 7)
    page.locator(NODE.format("Label")).click()
    page.keyboard.press("d")
    page.wait_for_selector(".aura-node.disabled")
    page.keyboard.press("Shift+S")
    page.wait_for_selector('[data-testid="aura-sticky"]')
    page.click("#tidy")
    page.wait_for_selector("#undo:not([disabled])")
    # a connection the engine would refuse (a loop) is refused on the canvas too
    before = page.locator(".react-flow__edge").count()
    page.locator(f'.react-flow__node:has({NODE.format("Label")}) .react-flow__handle.source') \
        .drag_to(page.locator(f'.react-flow__node:has({NODE.format("Fetch orders")}) '
                              '.react-flow__handle.target'))
    page.wait_for_timeout(500)
    assert page.locator(".react-flow__edge").count() == before
    shot(page, "editor-tidy")
    # dropping a connection on empty canvas opens the palette; the picked node is connected
    page.locator(f'.react-flow__node:has({NODE.format("Label")}) .react-flow__handle.source') \
        .drag_to(page.locator(".react-flow__pane"), target_position={"x": 900, "y": 700})
    page.wait_for_selector("#palette")
    page.fill("#palette-search", "no operation")
    page.wait_for_selector('[data-node-type="core.set"]', state="detached")
    page.locator('[data-node-type="core.noop"]').click()
    page.wait_for_function(
        f"document.querySelectorAll('.react-flow__edge').length === {before + 1}")


def test_history_diff_and_restore(page: Any, studio_url: str) -> None:
    from studio.logic import backend

    wid = _seed({"name": "History", "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]}],
        "connections": []})
    data, _ = backend.load_definition(_operator(), wid)
    data["nodes"][0]["name"] = "Go"
    backend.save(_operator(), wid, data, "renamed")
    _open_editor(page, studio_url, wid)
    page.wait_for_selector(NODE.format("Go"))
    page.click("#history")
    page.wait_for_selector(".version-item >> text=Version 2")
    page.locator(".version-item", has_text="Version 1").get_by_text("Compare").click()
    page.wait_for_selector("#version-diff >> text=renamed from 'Start'")
    page.locator(".version-item", has_text="Version 1").locator(".restore-version").click()
    page.wait_for_selector(NODE.format("Start"))
    page.wait_for_selector(".version-item >> text=Version 3")
    assert [v["number"] for v in backend.versions(_operator(), wid)] == [3, 2, 1]


def test_import_and_export_files(page: Any, studio_url: str, tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text())
    data["name"] = "Imported orders"
    src = tmp_path / "imported.json"
    src.write_text(json.dumps(data))
    page.goto(f"{studio_url}/workflows")
    page.wait_for_selector("#import-button")
    page.set_input_files("#wf-import input[type=file]", str(src))
    row = page.locator(".wf-row", has_text="Imported orders")
    row.wait_for(timeout=20_000)
    row.get_by_label("Actions").click()
    with page.expect_download() as info:
        page.get_by_role("menuitem", name="Export JSON").click()
    exported = json.loads(Path(info.value.path()).read_text())
    assert exported["name"] == "Imported orders" and len(exported["nodes"]) == 7


def test_errors_in_plain_words_and_executions(page: Any, studio_url: str, shot: Any) -> None:
    wid = _seed({"name": "Fails", "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
        {"name": "Boom", "type": "core.stop_and_error", "position": [300, 0],
         "parameters": {"message": "The order is missing"}}],
        "connections": [{"source": "Start", "target": "Boom"}]})
    _open_editor(page, studio_url, wid)
    page.click("#run-workflow")
    page.wait_for_selector("#run-error >> text='Boom' failed", timeout=30_000)
    assert page.locator(NODE.format("Boom")).get_attribute("data-status") == "failed"
    shot(page, "editor-run-error")

    page.goto(f"{studio_url}/executions")
    page.wait_for_selector(".ex-row")
    shot(page, "executions")
    page.locator(".ex-row", has_text="Fails").locator(".ex-link").first.click()
    page.wait_for_selector("#execution-error >> text=The order is missing", timeout=30_000)
    page.wait_for_selector(f'{NODE.format("Boom")}[data-status="failed"]')
    page.locator(NODE.format("Start")).dblclick()
    page.wait_for_selector("#out-count >> text=1 item")
    shot(page, "execution-detail")


def test_every_page_renders_in_light_and_dark(page: Any, studio_url: str, shot: Any) -> None:
    missing: list[str] = []  # any 404 the browser meets (the favicon was one on every page)
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(f"{studio_url}/variables")
    page.fill("#var-key", "API_BASE")
    page.fill("#var-value", "https://example.test")
    page.click("#var-add")
    page.wait_for_selector(".var-row >> text=API_BASE")
    shot(page, "variables")
    for name in ("workflows", "credentials", "settings"):
        page.goto(f"{studio_url}/{name}")
        page.wait_for_selector("h1")
        shot(page, name)
    page.goto(f"{studio_url}/settings")
    page.locator("#color-mode-setting").get_by_role("radio", name="Dark").click()
    page.wait_for_function("document.documentElement.classList.contains('dark')")
    wid = _seed(_orders())
    _open_editor(page, studio_url, wid)
    shot(page, "editor-dark")
    page.locator(NODE.format("Big order?")).dblclick()
    page.wait_for_selector("#node-panel")
    shot(page, "node-panel-dark")
    assert re.search(r"If", page.inner_text("#node-params"))
    assert missing == []


def test_credentials_typed_forms_test_and_pick(page: Any, studio_url: str, shot: Any) -> None:
    page.goto(f"{studio_url}/credentials")
    page.click("#new-credential")
    page.wait_for_selector("#cred-dialog")
    page.locator("#cred-dialog").get_by_role("combobox").first.click()
    page.get_by_role("option", name="Bearer token").click()
    page.wait_for_selector('#cred-dialog [data-path="token"]')
    page.click("#cred-save")
    page.wait_for_selector('#cred-dialog [data-testid="field-error"]')  # token is required
    page.fill("#cred-name", "Orders API")
    page.fill('#cred-dialog [data-path="token"]', "s3cret-token")
    page.locator('#cred-dialog [data-path="token"]').press("Tab")
    page.click("#cred-test")
    page.wait_for_selector("#cred-test-result")
    shot(page, "credential-form")
    page.click("#cred-save")
    page.wait_for_selector(".cred-row >> text=Orders API")
    # editing shows the secret masked, never the value
    page.locator(".cred-row", has_text="Orders API").get_by_text("Edit").click()
    page.wait_for_selector('#cred-dialog [data-path="token"]')
    assert page.input_value('#cred-dialog [data-path="token"]') == "********"
    assert "s3cret-token" not in page.content()
    shot(page, "credentials-edit")
    page.keyboard.press("Escape")
    # a node with a credential slot offers it (in a workflow of the owner's project)
    wid = _seed_as_owner({"name": "Calls API", "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
        {"name": "Call", "type": "core.http_request", "position": [300, 0],
         "parameters": {"url": "http://127.0.0.1:9/x"}}],
        "connections": [{"source": "Start", "target": "Call"}]})
    _open_editor(page, studio_url, wid)
    page.locator(NODE.format("Call")).dblclick()
    page.wait_for_selector("#node-panel")
    page.locator("#node-params").get_by_role("combobox").first.click()
    page.get_by_role("option", name="Orders API").click()
    page.wait_for_selector("#save-state >> text=Unsaved")
