"""The workflow save path (engine.services.workflows) refuses values outside a
parameter's fixed choices for every door that stores a workflow: create, save, the
CLI's import; n8n imports turn such a node into a disabled placeholder instead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.errors import WorkflowValidationError
from engine.graph import load_workflow
from engine.services import interop
from engine.services import workflows as wf_services
from engine.services.store import get_store, reset_store


@pytest.fixture
def store(data_dir: Path) -> Iterator[Any]:
    reset_store()
    yield get_store()
    reset_store()


def _wf(mode: Any) -> dict[str, Any]:
    return {
        "name": "Join",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {"name": "Join", "type": "core.merge", "parameters": {"mode": mode}},
        ],
        "connections": [{"source": "Start", "target": "Join"}],
    }


def test_create_and_save_refuse_a_value_outside_the_choices(store: Any) -> None:
    with pytest.raises(WorkflowValidationError) as exc:
        wf_services.create(load_workflow(_wf("zip")), "new")
    assert exc.value.http_status == 422
    assert "Node 'Join', parameter 'mode': 'zip' is not a choice of Mode" in exc.value.message
    assert "Combine by position" in exc.value.message  # labels, not combine_by_position
    assert exc.value.details[0]["allowed"][0] == {"value": "append", "label": "Append"}
    assert store.workflows.list()[1] == 0

    rec = wf_services.create(load_workflow(_wf("append")), "new")
    with pytest.raises(WorkflowValidationError):
        wf_services.save(rec.id, load_workflow(_wf("zip")), "edit")
    assert store.workflows.definition(rec.id)["nodes"][1]["parameters"]["mode"] == "append"
    wf_services.save(rec.id, load_workflow(_wf("{{ $json.mode }}")), "edit")
    assert store.workflows.get(rec.id).version_counter == 2


def test_cli_import_refuses_it_with_the_choices(store: Any, tmp_path: Path) -> None:
    f = tmp_path / "join.json"
    f.write_text(json.dumps(_wf("zip")))
    r = CliRunner().invoke(app, ["workflow", "import", "--input", str(f)])
    assert r.exit_code != 0
    out = " ".join(r.output.split())
    assert "'zip' is not a choice of Mode" in out and "Choose a branch" in out
    assert "Traceback" not in r.output and "Value error" not in r.output
    assert store.workflows.list()[1] == 0


N8N_IF = {
    "name": "Fuzzy",
    "nodes": [
        {
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        },
        {
            "name": "Check",
            "type": "n8n-nodes-base.if",
            "typeVersion": 2,
            "position": [200, 0],
            "parameters": {
                "conditions": {
                    "options": {"caseSensitive": True, "typeValidation": "strict"},
                    "conditions": [
                        {
                            "id": "1",
                            "leftValue": "={{ $json.n }}",
                            "rightValue": 3,
                            "operator": {"type": "number", "operation": "fuzzyMatch"},
                        }
                    ],
                    "combinator": "and",
                }
            },
        },
    ],
    "connections": {"Start": {"main": [[{"node": "Check", "type": "main", "index": 0}]]}},
}


def test_n8n_import_keeps_an_unknown_operation_as_a_disabled_placeholder(store: Any) -> None:
    result = interop.import_document(N8N_IF, dry_run=False)
    [w] = result["workflows"]
    assert w["id"] is not None and w["report"]["error"] is None
    check = next(n for n in w["workflow"]["nodes"] if n["name"] == "Check")
    assert check["type"] == "core.placeholder" and check["disabled"] is True
    assert "'fuzzy_match' is not a choice of Operation" in check["parameters"]["reason"]
    saved = store.workflows.definition(w["id"])
    assert [n["type"] for n in saved["nodes"]] == ["core.manual_trigger", "core.placeholder"]
