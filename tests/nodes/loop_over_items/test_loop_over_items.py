"""Loop Over Items through the real executor: batches run one after another in a sub-workflow."""

from __future__ import annotations

from typing import Any

from engine.executor import Executor, RunRequest
from engine.graph import load_workflow


def _body(code: str) -> dict[str, Any]:
    return {
        "name": "Body",
        "nodes": [
            {"name": "In", "type": "core.workflow_trigger", "parameters": {}},
            {"name": "Work", "type": "core.code", "parameters": {"code": code}},
        ],
        "connections": [{"source": "In", "output": "main", "target": "Work", "input": "main"}],
    }


def _run(n: int, loop_params: dict[str, Any]) -> Any:
    definition = {
        "name": "Parent",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger", "parameters": {}},
            {
                "name": "Make",
                "type": "core.code",
                "parameters": {"code": f"return [{{'n': i}} for i in range({n})]"},
            },
            {"name": "Loop", "type": "core.loop_over_items", "parameters": loop_params},
            {"name": "After", "type": "core.noop", "parameters": {}},
        ],
        "connections": [
            {"source": "Start", "output": "main", "target": "Make", "input": "main"},
            {"source": "Make", "output": "main", "target": "Loop", "input": "main"},
            {"source": "Loop", "output": "done", "target": "After", "input": "main"},
        ],
    }
    wf = load_workflow(definition)
    return Executor().run(RunRequest(workflow=wf))


def test_batches_run_in_order_and_results_come_out_of_done() -> None:
    body = _body(
        "return [{'n': i['json']['n'], 'batch_len': len(items), "
        "'first': items[0]['json']['n']} for i in items]"
    )
    result = _run(5, {"batch_size": 2, "source": "json", "workflow_json": body})
    assert result.ok, result.error
    after = result.run_for("After")
    assert after is not None
    got = [i.json for i in after.outputs["main"]]
    assert got == [
        {"n": 0, "batch_len": 2, "first": 0},
        {"n": 1, "batch_len": 2, "first": 0},
        {"n": 2, "batch_len": 2, "first": 2},
        {"n": 3, "batch_len": 2, "first": 2},
        {"n": 4, "batch_len": 1, "first": 4},
    ]


def test_a_failing_batch_names_the_batch_and_the_body_error() -> None:
    body = _body("if items[0]['json']['n'] == 3:\n  raise ValueError('bad three')\nreturn items")
    result = _run(6, {"batch_size": 3, "source": "json", "workflow_json": body})
    assert not result.ok
    assert "Batch 2 (items 3 to 5)" in result.error["message"]
    assert "bad three" in result.error["message"]


def test_without_a_body_workflow_the_user_is_told_what_to_choose() -> None:
    result = _run(2, {"batch_size": 1})
    assert not result.ok
    assert "Workflow id" in result.error["message"]
