"""``aura workflow import --from`` stores workflows and says what to do next;
``aura workflow export --to n8n`` writes n8n JSON that imports back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app

runner = CliRunner()

N8N = {
    "name": "Lead alert",
    "nodes": [
        {
            "name": "Hook",
            "type": "n8n-nodes-base.webhook",
            "typeVersion": 2,
            "position": [0, 0],
            "parameters": {"path": "leads", "httpMethod": "POST"},
        },
        {
            "name": "Call CRM",
            "type": "n8n-nodes-base.httpRequest",
            "typeVersion": 4.2,
            "position": [200, 0],
            "parameters": {
                "url": "=https://crm.test/leads/{{ $json.body.id }}",
                "authentication": "genericCredentialType",
                "genericAuthType": "httpBearerAuth",
            },
            "credentials": {"httpBearerAuth": {"id": "9", "name": "CRM token"}},
        },
        {
            "name": "Tell",
            "type": "n8n-nodes-base.slack",
            "typeVersion": 2.2,
            "position": [400, 0],
            "parameters": {"text": "={{ $json.name }}"},
        },
    ],
    "connections": {
        "Hook": {"main": [[{"node": "Call CRM", "type": "main", "index": 0}]]},
        "Call CRM": {"main": [[{"node": "Tell", "type": "main", "index": 0}]]},
    },
}


@pytest.fixture(autouse=True)
def _private_store(data_dir: Path) -> Any:
    from engine.services.store import reset_store

    reset_store()
    yield
    reset_store()


def aura(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_import_stores_lists_credentials_and_exports_back(tmp_path: Path) -> None:
    src = tmp_path / "lead.json"
    src.write_text(json.dumps(N8N))
    r = aura("workflow", "import", "--from", "n8n", str(src))
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "CRM token" in out and "bearer" in out  # the credential to create
    assert "n8n-nodes-base.slack x1" in out  # the placeholder to replace
    listed = json.loads(aura("workflow", "list", "--json").stdout)
    assert [w["name"] for w in listed["items"]] == ["Lead alert"]
    back = tmp_path / "back.json"
    r = aura("workflow", "export", "--id", "Lead alert", "--to", "n8n", "--output", str(back))
    assert r.exit_code == 0, r.output
    data = json.loads(back.read_text())
    types = {n["name"]: n["type"] for n in data["nodes"]}
    assert types == {
        "Hook": "n8n-nodes-base.webhook",
        "Call CRM": "n8n-nodes-base.httpRequest",
        "Tell": "n8n-nodes-base.slack",
    }
    call = next(n for n in data["nodes"] if n["name"] == "Call CRM")
    assert call["parameters"]["url"] == "=https://crm.test/leads/{{ $json.body.id }}"
    assert call["parameters"]["genericAuthType"] == "httpBearerAuth"


def test_bad_input_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    r = aura("workflow", "import", "--from", "n8n", str(bad))
    assert r.exit_code == 1
    assert "not an n8n workflow" in " ".join(r.output.split())
    r = aura("workflow", "import", "--from", "zapier", str(bad))
    assert r.exit_code == 2 and "--from must be one of" in r.output
