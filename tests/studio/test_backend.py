"""The studio's door into the engine: workflows, versions, runs with live events,
executions as they ran, variables and settings (no browser)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from engine.auth.types import Principal
from engine.executor import ExecutionHooks
from studio.logic import backend, backend_more, runner
from studio.logic import settings as settings_logic

OWNER = Principal(user_id=None, email=None, role="owner")  # the operator, no account
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "orders.json"

SIMPLE = {"name": "Simple", "nodes": [
    {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
    {"name": "Set", "type": "core.set", "position": [300, 0],
     "parameters": {"assignments": [{"name": "n", "value": "{{ 20 + 1 }}"}]}}],
    "connections": [{"source": "Start", "target": "Set"}]}


def test_create_save_versions_restore_publish() -> None:
    wid = backend.create_workflow(OWNER, "Draft one")
    data, info = backend.load_definition(OWNER, wid)
    assert info["version"] == 1 and data["nodes"] == []
    data["nodes"].append({"name": "Start", "type": "core.manual_trigger"})
    assert backend.save(OWNER, wid, data, "added a trigger", base_version=1) == 2
    data, _ = backend.load_definition(OWNER, wid)
    assert backend.save(OWNER, wid, data, "unchanged", base_version=2) == 2  # no new version
    assert backend.publish(OWNER, wid) == 2
    assert backend.restore(OWNER, wid, 1) == 3
    vs = backend.versions(OWNER, wid)
    assert [v["number"] for v in vs] == [3, 2, 1]
    assert next(v for v in vs if v["number"] == 2)["published"]
    assert backend.load_definition(OWNER, wid)[0]["nodes"] == []


def test_import_export_duplicate_delete() -> None:
    done = backend.import_text(OWNER, EXAMPLE.read_bytes(), "orders.json")
    wid = done[0]["id"]
    name, text = backend.export_json(OWNER, wid)
    assert name.endswith(".json") and json.loads(text)["name"] == done[0]["name"]
    copy_id = backend.duplicate_workflow(OWNER, wid)
    assert backend.load_definition(OWNER, copy_id)[1]["name"].endswith("(copy)")
    backend.delete_workflow(OWNER, copy_id)
    rows, _ = backend.list_workflows(OWNER, search="(copy)")
    assert copy_id not in {r["id"] for r in rows}


def test_a_run_reports_each_node_and_is_recorded_as_it_ran() -> None:
    wid = backend.create_workflow(OWNER, definition=SIMPLE)
    data, _ = backend.load_definition(OWNER, wid)

    async def go() -> tuple[list[dict], object]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        hooks = runner.QueueHooks(loop, queue)
        result = await loop.run_in_executor(None, runner.run_canvas, OWNER, data, wid, hooks)
        await asyncio.sleep(0)
        events = []
        while not queue.empty():
            events.append(queue.get_nowait())
        return events, result

    events, result = asyncio.run(go())
    assert result.ok
    finished = [e for e in events if e.get("kind") == "node" and e["status"] != "running"]
    assert [e["node"] for e in finished] == ["Start", "Set"]
    assert finished[1]["outputs"]["main"][0]["json"]["n"] == 21
    summary, definition, runs = backend_more.execution_detail(OWNER, result.id)
    assert summary["status"] == "succeeded" and definition["name"] == "Simple"
    assert [r["node"] for r in runs] == ["Start", "Set"]
    rows, _ = backend_more.list_executions(OWNER, workflow_id=wid, status="succeeded",
                                           since_hours=1)
    assert rows and rows[0]["id"] == result.id
    assert backend.last_runs([wid])[wid]["status"] == "succeeded"


def test_partial_run_reuses_earlier_outputs() -> None:
    wid = backend.create_workflow(OWNER, definition=SIMPLE)
    data, _ = backend.load_definition(OWNER, wid)
    last = {"Start": {"status": "succeeded", "outputs": {"main": [{"json": {"from": "before"}}]}}}
    reuse = runner.reuse_from(last, runner.ancestors(data, "Set"))
    result = runner.run_canvas(OWNER, data, wid, ExecutionHooks(), "Set", reuse)
    out = result.run_for("Set").outputs["main"][0].json
    assert out == {"from": "before", "n": 21}


def test_invalid_workflow_is_refused_before_anything_is_recorded() -> None:
    bad = {"name": "Bad", "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Call", "type": "core.http_request"}],
        "connections": [{"source": "Start", "target": "Call"}]}
    wid = backend.create_workflow(OWNER, definition=bad)
    before = backend_more.list_executions(OWNER, workflow_id=wid)[1]
    try:
        runner.run_canvas(OWNER, backend.load_definition(OWNER, wid)[0], wid, ExecutionHooks())
    except Exception as exc:
        assert "url" in backend.message_of(exc).lower()
    else:
        raise AssertionError("an invalid workflow ran")
    assert backend_more.list_executions(OWNER, workflow_id=wid)[1] == before


def test_variables_and_settings() -> None:
    backend_more.set_variable(OWNER, "BASE_URL", "https://example.test")
    assert backend_more.variables_dict(OWNER)["BASE_URL"] == "https://example.test"
    backend_more.delete_variable(OWNER, "BASE_URL")
    assert "BASE_URL" not in backend_more.variables_dict(OWNER)
    settings_logic.write(OWNER, {"studio.default_timezone": "Europe/Paris"})
    wid = backend.create_workflow(OWNER, "Paris")
    assert backend.load_definition(OWNER, wid)[0]["settings"]["timezone"] == "Europe/Paris"
    settings_logic.write(OWNER, {"studio.default_timezone": "UTC"})
    try:
        settings_logic.write(OWNER, {"studio.default_timezone": "Mars/Olympus"})
    except ValueError as exc:
        assert "IANA" in str(exc)
    else:
        raise AssertionError("a bad timezone was accepted")
