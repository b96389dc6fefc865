"""The studio's 'Import from n8n or Node-RED' dialog in a real browser: paste, read the
report, save, and find the flagged nodes on the canvas with their reason."""

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
                            "value": "={{ $json.items.reduce((a, b) => a + b, 0) }}",
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
