"""The import dialog marks flagged nodes (no browser): their reasons go on top of the
node's note on the canvas; placeholders already explain themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.services.interop import import_document

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "node-red"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures/node-red")
N8N = {
    "nodes": [
        {
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        },
        {
            "name": "Sum",
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "position": [1, 0],
            "parameters": {
                "assignments": {
                    "assignments": [
                        {"name": "t", "value": "={{ $json.v.reduce((a, b) => a * b, 1) }}"}
                    ]
                }
            },
        },
        {
            "name": "Post",
            "type": "n8n-nodes-base.slack",
            "typeVersion": 2,
            "position": [2, 0],
            "parameters": {},
        },
    ],
    "connections": {
        "Start": {"main": [[{"node": "Sum", "type": "main", "index": 0}]]},
        "Sum": {"main": [[{"node": "Post", "type": "main", "index": 0}]]},
    },
}


def test_flagged_nodes_carry_their_reason_in_the_note() -> None:
    [w] = import_document(N8N, fmt="n8n", dry_run=True)["workflows"]
    flagged = {n["name"]: n["notes"] for n in w["workflow"]["nodes"]}
    assert flagged["Start"] == ""
    assert flagged["Sum"].startswith("Import: expression kept") and "reduce" in flagged["Sum"]
    assert flagged["Post"].startswith("Imported from n8n (n8n-nodes-base.slack v2)")


def test_the_dialog_converts_then_saves_into_the_users_project(
    data_dir: Any, monkeypatch: Any
) -> None:
    """The dialog's events as the browser sends them, with a signed-in owner."""
    import json

    from engine.auth.ratelimit import LocalRateLimiter
    from engine.config import reset_settings
    from engine.services import auth as service
    from engine.services.store import get_store, reset_store
    from studio.auth import AuthState
    from studio.state.importer import ImportState
    from tests.studio.test_auth_state import OWNER, _page_state, _tokens

    for key, value in (("TIME_COST", "1"), ("MEMORY_KIB", "1024"), ("PARALLELISM", "1")):
        monkeypatch.setenv(f"AURA_PASSWORD_HASH_{key}", value)
    monkeypatch.setenv("AURA_STUDIO_URL", "http://127.0.0.1:3001")
    reset_settings()
    reset_store()
    service.reset()
    LocalRateLimiter.clear_all()
    try:
        service.create_owner(*OWNER)
        tokens = _tokens(service, OWNER[0], OWNER[1])
        auth_state = _page_state(f"aura_session={tokens['access_token']}")
        assert AuthState.check_login.fn(auth_state) is None
        state = auth_state.substates[ImportState.get_name()]
        ImportState.set_import_text.fn(state, json.dumps(N8N))
        ImportState.convert.fn(state)
        assert state.import_error == "" and state.import_count == 1
        assert [r.status for r in state.import_rows] == ["mapped", "with notes", "placeholder"]
        events = ImportState.save.fn(state)
        rows, _ = get_store().workflows.list(limit=10)
        assert len(rows) == 1, events
        redirect = json.dumps(events, default=str)
        assert f"/workflows/{rows[0].id}" in redirect, redirect
        # a file dropped on the editor's canvas opens the dialog with its report
        flow = FIXTURES / "network__http__01_-_Create_HTTP_endpoint.json"
        ImportState.drop_file.fn(state, flow.name, flow.read_text(), flow.stat().st_size)
        assert state.import_open and state.import_error == "" and state.import_count == 1
        assert state.import_summary.startswith("1 workflow(s) converted")
        assert {r.source_type for r in state.import_rows} >= {"http in", "http response"}
        ImportState.drop_file.fn(state, "notes.txt", "milk, eggs", 10)
        assert "file notes.txt is not valid JSON" in state.import_error
        assert state.import_count == 0
        ImportState.drop_file.fn(state, "huge.json", "", 6 * 1024 * 1024)
        assert "huge.json is larger than 5 MB" in state.import_error
        assert "aura workflow import" in state.import_error
    finally:
        service.reset()
        reset_store()


def test_flagged_nodes_are_marked_on_the_canvas_until_their_note_is_edited() -> None:
    from studio.logic.canvas import flow_node

    [w] = import_document(N8N, fmt="n8n", dry_run=True)["workflows"]
    wf = w["workflow"]
    flags = {n["name"]: flow_node(n, wf)["data"]["flag"] for n in wf["nodes"]}
    assert flags == {"Start": "", "Sum": "notes", "Post": "placeholder"}
    sum_node = next(n for n in wf["nodes"] if n["name"] == "Sum")
    sum_node["notes"] = "checked: reduce is fine"
    assert flow_node(sum_node, wf)["data"]["flag"] == ""
