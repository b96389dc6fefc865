"""Execute Workflow: what the sub-workflow receives, lineage, and nesting limits."""

from __future__ import annotations

from typing import Any

from engine.sdk import Binary, Item
from engine.sdk.testing import NodeHarness


class Recorder:
    """A harness workflow_runner that records calls and answers with fixed items."""

    def __init__(self, answer: list[dict[str, Any]] | None = None) -> None:
        self.calls: list[tuple[Any, list[Item]]] = []
        self.answer = answer

    def __call__(self, ref: Any, items: list[Item]) -> list[Item]:
        self.calls.append((ref, items))
        if self.answer is None:
            return [Item(json={**i.json, "done": True}) for i in items]
        return [Item(json=a) for a in self.answer]


def run(params: dict[str, Any], input: Any, runner: Recorder) -> Any:
    return NodeHarness("core.execute_workflow").run(
        parameters=params, input=input, workflow_runner=runner
    )


def test_once_sends_all_items_by_id_and_pairs_outputs_by_index() -> None:
    rec = Recorder()
    res = run({"workflow_id": "wf_1"}, [{"a": 1}, {"a": 2}], rec)
    assert res.error is None
    [(ref, items)] = rec.calls
    assert ref == "wf_1" and [i.json for i in items] == [{"a": 1}, {"a": 2}]
    assert res.json() == [{"a": 1, "done": True}, {"a": 2, "done": True}]
    assert [i.paired_item[0].item for i in res.outputs["main"] if i.paired_item] == [0, 1]


def test_once_with_a_different_count_pairs_with_all_inputs() -> None:
    res = run({"workflow_id": "wf_1"}, [{"a": 1}, {"a": 2}], Recorder([{"total": 3}]))
    [out] = res.outputs["main"]
    assert out.json == {"total": 3}
    assert [p.item for p in out.paired_item or []] == [0, 1]


def test_each_runs_once_per_item_with_lineage() -> None:
    rec = Recorder([{"r": 1}, {"r": 2}])
    res = run({"workflow_id": "wf_2", "mode": "each"}, [{"a": 1}, {"a": 2}], rec)
    assert [len(items) for _, items in rec.calls] == [1, 1]
    assert len(res.json()) == 4
    assert [i.paired_item[0].item for i in res.outputs["main"] if i.paired_item] == [0, 0, 1, 1]


def test_input_fields_and_binary() -> None:
    rec = Recorder()
    item = {
        "json": {"a": 1, "secret": "x"},
        "binary": {"f": Binary.from_bytes(b"1", "text/plain").to_dict()},
    }
    run(
        {
            "workflow_id": "w",
            "input_fields": [{"name": "only", "value": 5}],
            "include_binary": False,
        },
        [item],
        rec,
    )
    [(_, [sent])] = rec.calls
    assert sent.json == {"only": 5} and sent.binary is None
    rec = Recorder()
    run({"workflow_id": "w"}, [item], rec)
    [(_, [sent])] = rec.calls
    assert sent.binary is not None and sent.binary["f"].content() == b"1"


def test_expressions_in_the_definition_are_left_for_the_sub_workflow() -> None:
    definition = {
        "name": "Sub",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger", "parameters": {}},
            {
                "name": "Set",
                "type": "core.set",
                "parameters": {"assignments": [{"name": "x", "value": "{{ $json.a }}"}]},
            },
        ],
        "connections": [{"source": "Start", "output": "main", "target": "Set", "input": "main"}],
    }
    rec = Recorder()
    res = run({"source": "json", "workflow_json": definition}, [{"a": 1}], rec)
    assert res.error is None
    [(ref, _)] = rec.calls
    assert ref == definition


def test_a_workflow_calling_itself_stops_at_the_depth_limit() -> None:
    from engine.executor import Executor, RunRequest
    from engine.graph import load_workflow

    definition = {
        "id": "loop",
        "name": "Loop",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger", "parameters": {}},
            {
                "name": "Again",
                "type": "core.execute_workflow",
                "parameters": {"workflow_id": "loop"},
            },
        ],
        "connections": [{"source": "Start", "output": "main", "target": "Again", "input": "main"}],
    }
    wf = load_workflow(definition)
    ex = Executor(workflow_loader=lambda ref: wf, max_depth=3)
    result: Any = ex.run(RunRequest(workflow=wf))
    assert not result.ok
    assert "nested more than 3 deep" in result.error["message"]
