"""The import dialog marks flagged nodes (no browser): their reasons go on top of the
node's note on the canvas; placeholders already explain themselves."""

from __future__ import annotations

from typing import Any

from engine.services.interop import import_document
from studio.state.importer import _flag

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
                        {"name": "t", "value": "={{ $json.v.reduce((a, b) => a + b, 0) }}"}
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
    flagged = {n["name"]: n["notes"] for n in _flag(w["workflow"], w["report"])["nodes"]}
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
    finally:
        service.reset()
        reset_store()
