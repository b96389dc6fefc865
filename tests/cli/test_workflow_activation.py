"""``aura workflow activate | deactivate``: a webhook answers after activation and not after
deactivation, both are audited, and mistakes are plain messages (exit 2, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from engine.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "hello-webhook.json"


@pytest.fixture(autouse=True)
def _private_store(data_dir: Path) -> Any:
    from engine.services.store import reset_store

    reset_store()
    yield
    reset_store()


def aura(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _import(path: Path) -> str:
    r = aura("workflow", "import", "--input", str(path), "--json")
    assert r.exit_code == 0, r.output
    return str(json.loads(r.stdout)[0]["id"])


def test_activate_then_deactivate_a_webhook_workflow() -> None:
    from engine.services.store import get_store
    from studio.api import create_app

    wid = _import(EXAMPLE)
    with TestClient(create_app(runtime="inline")) as api:
        assert api.get("/webhook/hello").status_code == 404  # not active yet

        r = aura("workflow", "activate", "Hello webhook")
        assert r.exit_code == 0, r.output
        assert "Activated 'Hello webhook' (published version 1)" in r.output
        assert "GET /webhook/hello" in r.output
        answer = api.get("/webhook/hello", params={"name": "Ada"})
        assert answer.status_code == 200 and answer.json() == {"greeting": "Hello, Ada!"}

        r = aura("workflow", "deactivate", wid[:8])
        assert r.exit_code == 0 and "Deactivated 'Hello webhook'" in r.output
        assert api.get("/webhook/hello").status_code == 404

    events = get_store().audit.list(target_type="workflow", limit=10)
    actions = [e.action for e in events]
    assert actions[:2] == ["workflow.deactivated", "workflow.activated"]


def test_mistakes_are_plain_messages(tmp_path: Path) -> None:
    r = aura("workflow", "activate", "no such workflow")
    assert r.exit_code == 2 and "No workflow with id or name 'no such workflow'" in r.output
    assert "Traceback" not in r.output

    _import(EXAMPLE)
    other = json.loads(EXAMPLE.read_text()) | {"name": "Another hello"}
    copy = tmp_path / "other.json"
    copy.write_text(json.dumps(other))
    _import(copy)
    assert aura("workflow", "activate", "Hello webhook").exit_code == 0
    r = aura("workflow", "activate", "Another hello")
    assert r.exit_code == 2, r.output
    assert "GET /webhook/hello is already used by workflow 'Hello webhook'" in r.output
    assert "Traceback" not in r.output
