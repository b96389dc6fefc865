"""The studio's 'Import from n8n or Node-RED' dialog in a real browser: paste, read the
report, save, and find the flagged nodes on the canvas with their reason; the same dialog
opens when a workflow file is dropped on the editor's canvas."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

N8N = {
    "name": "Shop alerts",
    "nodes": [
        {
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        },
        {
            "name": "Total",
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "position": [220, 0],
            "parameters": {
                "assignments": {
                    "assignments": [
                        {
                            "name": "total",
                            "value": "={{ $json.items.reduce((a, b) => a * b, 1) }}",
                            "type": "number",
                        }
                    ]
                }
            },
        },
        {
            "name": "Tell the team",
            "type": "n8n-nodes-base.slack",
            "typeVersion": 2.2,
            "position": [440, 0],
            "parameters": {"text": "={{ $json.total }}"},
            "credentials": {"slackApi": {"id": "3", "name": "Team Slack"}},
        },
    ],
    "connections": {
        "Start": {"main": [[{"node": "Total", "type": "main", "index": 0}]]},
        "Total": {"main": [[{"node": "Tell the team", "type": "main", "index": 0}]]},
    },
}
NODE = '[data-testid="aura-node"][data-name="{}"]'
DROP_JS = """([name, text]) => {
  const dt = new DataTransfer();
  dt.items.add(new File([text], name, { type: "application/json" }));
  const pane = document.querySelector(".react-flow__pane");
  const r = pane.getBoundingClientRect();
  const at = { bubbles: true, cancelable: true, dataTransfer: dt,
               clientX: r.x + r.width / 2, clientY: r.y + r.height / 2 };
  for (const kind of ["dragenter", "dragover", "drop"]) pane.dispatchEvent(new DragEvent(kind, at));
}"""


def test_paste_see_the_report_save_and_find_flagged_nodes(
    page: Any, studio_url: str, shot: Any
) -> None:
    page.goto(f"{studio_url}/workflows")
    page.click("#interop-open")
    page.fill("#interop-text", json.dumps(N8N))
    page.click("#interop-convert")
    summary = page.wait_for_selector("#interop-summary", timeout=20_000)
    assert "1 workflow(s) converted" in summary.inner_text()
    statuses = {
        row.locator("td").first.inner_text(): row.get_attribute("data-status")
        for row in page.locator(".interop-row").all()
    }
    assert statuses == {"Start": "mapped", "Total": "with notes", "Tell the team": "placeholder"}
    assert "Team Slack" in page.locator("#interop-credentials").inner_text()
    shot(page, "import-dialog-report")
    page.click("#interop-save")
    page.wait_for_selector(NODE.format("Tell the team"), timeout=60_000)
    slack = page.locator(NODE.format("Tell the team"))
    assert "disabled" in (slack.get_attribute("class") or "")
    assert "AURA has no node" in slack.inner_text()
    assert "reduce" in page.locator(NODE.format("Total")).inner_text()
    shot(page, "import-flagged-nodes")


def test_a_document_of_another_tool_is_explained(page: Any, studio_url: str) -> None:
    page.goto(f"{studio_url}/workflows")
    page.click("#interop-open")
    page.fill("#interop-text", '{"hello": "world"}')
    page.click("#interop-convert")
    error = page.wait_for_selector("#interop-error", timeout=20_000)
    assert "neither an n8n workflow" in error.inner_text()
    assert page.locator("#interop-save").is_disabled()


def _drop(page: Any, name: str, text: str) -> None:
    page.wait_for_selector(".react-flow__pane", timeout=60_000)
    page.evaluate(DROP_JS, [name, text])


def test_a_file_dropped_on_the_canvas_is_imported_and_its_flagged_nodes_marked(
    page: Any, studio_url: str, shot: Any
) -> None:
    from tests.studio.test_browser_studio import _seed

    wid = _seed({"name": "Drop target", "nodes": [], "connections": []})
    page.goto(f"{studio_url}/workflows/{wid}")
    _drop(page, "shop-alerts.json", json.dumps(N8N))
    summary = page.wait_for_selector("#interop-summary", timeout=20_000)
    assert "1 workflow(s) converted" in summary.inner_text()
    statuses = {
        row.locator("td").first.inner_text(): row.get_attribute("data-status")
        for row in page.locator(".interop-row").all()
    }
    assert statuses == {"Start": "mapped", "Total": "with notes", "Tell the team": "placeholder"}
    page.click("#interop-save")
    page.wait_for_url(lambda url: wid not in url and "/workflows/" in url, timeout=30_000)
    page.wait_for_selector(NODE.format("Tell the team"), timeout=60_000)
    flags = {
        name: page.locator(NODE.format(name)).get_attribute("data-flag")
        for name in ("Start", "Total", "Tell the team")
    }
    assert flags == {"Start": "", "Total": "notes", "Tell the team": "placeholder"}
    # the marker is drawn on the flagged nodes only, and says why on hover
    assert page.locator(NODE.format("Start") + ' [data-testid="import-flag"]').count() == 0
    marker = page.locator(NODE.format("Total") + ' [data-testid="import-flag"]')
    assert marker.is_visible()
    assert "Check after import" in (marker.get_attribute("title") or "")
    assert "reduce" in (marker.get_attribute("title") or "")
    slack = page.locator(NODE.format("Tell the team") + ' [data-testid="import-flag"]')
    assert "AURA has no node" in (slack.get_attribute("title") or "")
    shot(page, "import-drop-flagged-nodes")
    # the node panel says the same above the parameters
    page.locator(NODE.format("Total")).dblclick()
    note = page.wait_for_selector("#node-import-note", timeout=20_000)
    assert "expression kept" in note.inner_text()
    shot(page, "import-drop-node-panel")


def test_a_dropped_file_that_is_not_json_is_explained(page: Any, studio_url: str) -> None:
    from tests.studio.test_browser_studio import _seed

    wid = _seed({"name": "Drop target 2", "nodes": [], "connections": []})
    page.goto(f"{studio_url}/workflows/{wid}")
    _drop(page, "groceries.txt", "milk, eggs")
    error = page.wait_for_selector("#interop-error", timeout=20_000)
    assert "groceries.txt is not valid JSON" in error.inner_text()
    assert page.locator("#interop-save").is_disabled()
