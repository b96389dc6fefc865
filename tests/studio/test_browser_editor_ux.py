"""What a new user tripped over in the editor (issue 19), in a real browser: unsaved
changes, selects with labels checked on save, fields hidden by options, one error
display, rename on Enter, where the first node lands, previews from pinned data."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.studio.test_browser_studio import NODE, _open_editor, _seed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOAST = "[data-sonner-toast]"


def _trigger_and(node: dict[str, Any], name: str = "") -> str:
    return _seed(
        {
            "name": name or f"UX {uuid.uuid4().hex[:6]}",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
                {"position": [320, 0], **node},
            ],
            "connections": [{"source": "Start", "target": node["name"]}],
            "pinned_data": {"Start": [{"json": {"price": 10, "name": "Ada"}}]},
        }
    )


def test_unsaved_changes_are_not_lost_without_a_word(page: Any, studio_url: str) -> None:
    wid = _trigger_and({"name": "Note", "type": "core.noop"})
    _open_editor(page, studio_url, wid)
    page.wait_for_selector('[data-testid="unsaved-guard"][data-dirty="false"]', state="attached")
    page.locator(NODE.format("Note")).click()
    page.keyboard.press("d")  # disable the node: an unsaved change
    page.wait_for_selector('[data-testid="unsaved-guard"][data-dirty="true"]', state="attached")

    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.click("#nav-executions")
    page.wait_for_timeout(500)
    assert asked and "unsaved changes" in asked[0]
    assert f"/workflows/{wid}" in page.url  # stayed on the editor, the change kept
    assert page.locator(".aura-node.disabled").count() == 1
    page.remove_listener("dialog", dismiss)

    # reloading (or closing the tab) asks through the browser's own prompt
    kinds: list[str] = []
    page.on("dialog", lambda d: (kinds.append(d.type), d.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert kinds == ["beforeunload"]


def test_saved_changes_leave_without_asking(page: Any, studio_url: str) -> None:
    wid = _trigger_and({"name": "Note", "type": "core.noop"})
    _open_editor(page, studio_url, wid)
    page.locator(NODE.format("Note")).click()
    page.keyboard.press("d")
    page.wait_for_selector('[data-testid="unsaved-guard"][data-dirty="true"]', state="attached")
    page.keyboard.press("Control+s")
    page.wait_for_selector('[data-testid="unsaved-guard"][data-dirty="false"]', state="attached")
    asked: list[str] = []
    page.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.click("#nav-executions")
    page.wait_for_url("**/executions", timeout=30_000)
    assert asked == []


def _stored_as_is(definition: dict[str, Any]) -> str:
    """Stores a workflow in the store itself, as one saved before saves checked the
    choices was (every save door refuses such a value now)."""
    from engine.graph import load_workflow
    from engine.services.store import get_store

    return str(get_store().workflows.create(load_workflow(definition), "Saved long ago").id)


def test_if_operation_is_a_select_with_labels_checked_on_save(
    page: Any, studio_url: str, shot: Any
) -> None:
    wid = _stored_as_is(
        {
            "name": f"UX {uuid.uuid4().hex[:6]}",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
                {
                    "name": "Big order",
                    "type": "core.if",
                    "position": [320, 0],
                    "parameters": {
                        "conditions": [
                            {
                                "left": "{{ $json.price }}",
                                "type": "number",
                                "operation": "greater than",
                                "right": 5,
                            }
                        ]
                    },
                },
            ],
            "connections": [{"source": "Start", "target": "Big order"}],
        }
    )
    _open_editor(page, studio_url, wid)
    page.locator(NODE.format("Big order")).click()
    page.keyboard.press("d")
    page.keyboard.press("d")  # changed and changed back: Save has something to do
    page.keyboard.press("Control+s")
    # Save refuses, says why in words, and opens the node at the field
    page.wait_for_selector(f"{TOAST} >> text=Not saved", timeout=15_000)
    toast = page.locator(TOAST, has_text="Not saved").inner_text()
    assert "'greater than' is not a choice of Operation" in toast
    assert "Value error" not in toast
    page.wait_for_selector("#node-panel")
    err = page.locator('[data-field="conditions.0.operation"] [data-testid="field-error"]')
    assert "is greater than" in err.inner_text()
    # the operation is a select whose choices follow the condition's type, with labels
    trigger = page.locator('[data-field="conditions.0.operation"] button[role="combobox"]')
    trigger.click()
    options = page.locator('[role="option"]').all_inner_texts()
    assert "is greater than" in options and "contains" not in options
    shot(page, "node-panel-if-select")
    page.locator('[role="option"]', has_text="is greater than or equal to").click()
    page.wait_for_selector(
        '[data-field="conditions.0.operation"] [data-testid="field-error"]', state="detached"
    )
    page.click("#close-node-panel")
    page.wait_for_selector("#node-panel", state="detached")
    page.keyboard.press("Control+s")
    page.wait_for_selector("#save-state >> text=v2", timeout=15_000)


def test_set_fields_follow_the_chosen_mode(page: Any, studio_url: str, shot: Any) -> None:
    wid = _trigger_and({"name": "Fields", "type": "core.set"})
    _open_editor(page, studio_url, wid)
    page.locator(NODE.format("Fields")).dblclick()
    page.wait_for_selector("#node-panel")
    form = page.locator(".aura-form")
    assert form.locator('[data-field="assignments"]').count() == 1
    assert form.locator('[data-field="json_value"]').count() == 0
    assert form.locator('[data-field="fields"]').count() == 0  # Keep is "All fields"
    # the Fixed/Expression toggles look active, not greyed out, without hovering
    page.mouse.move(5, 5)
    toggle = page.locator('[data-field="keep"] .rt-SegmentedControlRoot')
    assert toggle.evaluate("(el) => getComputedStyle(el).opacity") == "1"
    assert toggle.get_by_role("radio", name="Fixed").get_attribute("aria-checked") == "true"
    mode = page.locator('[data-field="mode"] button[role="combobox"]')
    assert mode.inner_text() == "Manual mapping"  # a label, not the raw value 'manual'
    mode.click()
    page.locator('[role="option"]', has_text="JSON").click()
    page.wait_for_selector('[data-field="json_value"]')
    assert form.locator('[data-field="assignments"]').count() == 0

    # a new assignment is not flagged before anything was typed; the Expression toggle
    # starts empty instead of pre-filling {{ $json }}
    mode.click()
    page.locator('[role="option"]', has_text="Manual mapping").click()
    page.click('[data-testid="add-assignments"]')
    page.wait_for_selector('[data-path="assignments.0.name"]')
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="field-error"]').count() == 0
    page.locator('[data-field="assignments.0.value"]').get_by_role(
        "radio", name="Expression"
    ).click()
    # the expression editor replaces the fixed input once the server switched the mode
    expr = page.locator('[data-field="assignments.0.value"] textarea')
    expr.wait_for()
    assert expr.input_value() == ""
    # before any run, the preview reads the trigger's pinned item; Input counts it
    expr.fill("{{ $json.price * 2 }}")
    expr.press("Tab")
    page.wait_for_selector('[data-testid="expr-preview"] >> text=20')
    assert "bad" not in (page.locator('[data-testid="expr-preview"]').get_attribute("class") or "")
    assert page.inner_text("#in-count").startswith("1 item")
    # an assignment named and emptied again is flagged, in plain words
    name = page.locator('[data-path="assignments.0.name"]')
    name.fill("x")
    name.press("Tab")
    name.fill("")
    name.press("Tab")
    page.wait_for_selector('[data-testid="field-error"] >> text=Required: enter a value.')
    shot(page, "node-panel-set")


def test_a_run_error_is_shown_once(page: Any, studio_url: str) -> None:
    wid = _trigger_and(
        {
            "name": "Boom",
            "type": "core.stop_and_error",
            "parameters": {"message": "The order is missing"},
        }
    )
    _open_editor(page, studio_url, wid)
    page.click("#run-workflow")
    page.wait_for_selector("#run-error >> text=The order is missing", timeout=30_000)
    page.wait_for_timeout(800)
    # the banner says it; no toast repeats it over the canvas (the node keeps its own)
    assert page.locator(TOAST, has_text="The order is missing").count() == 0
    assert page.locator("#run-error").get_by_text("The order is missing").count() == 1


def test_rename_commits_on_enter(page: Any, studio_url: str) -> None:
    wid = _trigger_and({"name": "Note", "type": "core.noop"})
    _open_editor(page, studio_url, wid)
    page.locator(NODE.format("Note")).dblclick()
    page.wait_for_selector("#node-panel")
    name = page.locator("#node-name")
    name.fill("Checked")
    name.press("Enter")
    page.wait_for_selector(NODE.format("Checked"), state="attached")
    assert page.locator("#node-panel").count() == 1  # still open
    # Esc closes the panel and keeps what was typed
    name = page.locator("#node-name")
    name.fill("Checked twice")
    name.press("Escape")
    page.wait_for_selector(NODE.format("Checked twice"))
    # the workflow name commits on Enter too
    wf_name = page.locator("#workflow-name")
    wf_name.fill("Renamed with Enter")
    wf_name.press("Enter")
    page.wait_for_selector('[data-testid="unsaved-guard"][data-dirty="true"]', state="attached")


def test_first_node_lands_where_dropped(page: Any, studio_url: str) -> None:
    wid = _seed({"name": f"Empty {uuid.uuid4().hex[:6]}", "nodes": [], "connections": []})
    page.goto(f"{studio_url}/workflows/{wid}")
    page.wait_for_selector("#add-first-step", timeout=60_000)
    page.click("#add-first-step")
    pane = page.locator(".react-flow__pane")
    box = pane.bounding_box()
    assert box is not None
    target = {"x": 180, "y": 160}  # top left, far from the centre
    page.locator('[data-node-type="core.manual_trigger"]').drag_to(pane, target_position=target)
    page.wait_for_selector(NODE.format("Manual Trigger"))
    # named after its title, so no subtitle repeats it ("If / If")
    assert page.locator(f"{NODE.format('Manual Trigger')} .aura-node-sub").count() == 0
    page.wait_for_timeout(600)
    node = page.locator(f".react-flow__node:has({NODE.format('Manual Trigger')})").bounding_box()
    assert node is not None
    cx, cy = node["x"] + node["width"] / 2, node["y"] + node["height"] / 2
    assert abs(cx - (box["x"] + target["x"])) < 60, (cx, box, node)
    assert abs(cy - (box["y"] + target["y"])) < 60, (cy, box, node)
