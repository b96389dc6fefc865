"""Executor behaviour a workflow author notices: order, branching, errors, retries."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from engine.executor import ExecutionStatus, NodeRunStatus
from tests.executor import _nodes
from tests.executor.conftest import node, wf

TRIGGER = node("Start", "core.manual_trigger")


def set_node(name: str, **fields: Any) -> dict[str, Any]:
    return node(name, "core.set", params={"assignments": [
        {"name": k, "value": v} for k, v in fields.items()]})


def out(result: Any, name: str, port: str = "main") -> list[dict[str, Any]]:
    run = result.run_for(name)
    assert run is not None, f"{name} did not run"
    return [i.json for i in run.outputs.get(port, [])]


def test_linear_flow_passes_items_and_records_each_node(run: Any) -> None:
    r = run(wf(TRIGGER, set_node("A", a=1), set_node("B", b=2),
               connections=["Start->A", "A->B"]), input=[{"x": 1}, {"x": 2}])
    assert r.status == ExecutionStatus.SUCCEEDED
    assert out(r, "B") == [{"x": 1, "a": 1, "b": 2}, {"x": 2, "a": 1, "b": 2}]
    assert [n.node for n in r.node_runs] == ["Start", "A", "B"]
    b = r.run_for("B")
    assert b.input_counts == {"main": 2} and b.output_counts == {"main": 2}
    assert b.started_at <= b.finished_at
    assert [p.item for i in b.outputs["main"] for p in i.paired_item] == [0, 1]


def test_manual_trigger_without_input_emits_one_empty_item(run: Any) -> None:
    r = run(wf(TRIGGER, set_node("A", a=1), connections=["Start->A"]))
    assert out(r, "A") == [{"a": 1}]


def test_branches_run_depth_first_in_output_order(run: Any) -> None:
    rec = lambda n: node(n, "test.record")  # noqa: E731
    r = run(wf(TRIGGER, rec("A1"), rec("A2"), rec("B1"), rec("B2"),
               connections=["Start->A1", "Start->B1", "A1->A2", "B1->B2"]))
    assert r.ok
    assert _nodes.ORDER == ["A1", "A2", "B1", "B2"]


def test_if_routes_items_and_only_branches_with_data_run(run: Any) -> None:
    cond = {"conditions": [{"left": 5, "type": "number", "operation": "gt", "right": 3}]}
    r = run(wf(TRIGGER, node("If", "core.if", params=cond), set_node("Yes", y=1),
               set_node("No", n=1), connections=["Start->If", "If.true->Yes", "If.false->No"]))
    assert r.ok
    assert out(r, "Yes") == [{"y": 1}]
    assert r.run_for("No") is None  # no item reached it, so it did not run


def test_merge_waits_for_both_branches(run: Any) -> None:
    merge = node("Merge", "core.merge", params={"mode": "append"})
    r = run(wf(TRIGGER, set_node("L", side="left"), set_node("R", side="right"), merge,
               connections=["Start->L", "Start->R", "L->Merge.input1", "R->Merge.input2"]))
    assert r.ok, r.error
    assert [n.node for n in r.node_runs][-1] == "Merge"
    assert out(r, "Merge") == [{"side": "left"}, {"side": "right"}]


def test_disabled_node_passes_data_through(run: Any) -> None:
    a = set_node("A", a=1)
    a["disabled"] = True
    r = run(wf(TRIGGER, a, set_node("B", b=2), connections=["Start->A", "A->B"]),
            input=[{"x": 1}])
    assert r.run_for("A").status == NodeRunStatus.DISABLED
    assert out(r, "B") == [{"x": 1, "b": 2}]


def test_retry_with_backoff_until_success(run: Any) -> None:
    flaky = node("Flaky", "test.flaky", params={"fail_times": 2},
                 retry={"enabled": True, "max_tries": 3, "wait_s": 0.05, "backoff": 2})
    t0 = time.monotonic()
    r = run(wf(TRIGGER, flaky, connections=["Start->Flaky"]))
    assert r.ok
    assert r.run_for("Flaky").attempts == 3
    assert time.monotonic() - t0 >= 0.05 + 0.1  # waited 0.05 then 0.1
    assert any("attempt 2" in line for line in r.run_for("Flaky").logs)


def test_retry_gives_up_after_max_tries(run: Any) -> None:
    flaky = node("Flaky", "test.flaky", params={"fail_times": 5},
                 retry={"enabled": True, "max_tries": 2, "wait_s": 0})
    r = run(wf(TRIGGER, flaky, connections=["Start->Flaky"]))
    assert r.status == ExecutionStatus.FAILED
    assert r.error["node"] == "Flaky" and "flaky failure 2" in r.error["message"]
    assert r.run_for("Flaky").attempts == 2


def test_error_policy_stop_fails_the_execution_and_names_the_node(run: Any) -> None:
    r = run(wf(TRIGGER, node("Boom", "test.boom", params={"message": "no stock"}),
               set_node("After", a=1), connections=["Start->Boom", "Boom->After"]))
    assert r.status == ExecutionStatus.FAILED
    assert r.error["message"] == "no stock" and r.error["node"] == "Boom"
    assert r.run_for("Boom").status == NodeRunStatus.FAILED
    assert r.run_for("After") is None


def test_unexpected_exception_is_recorded_not_raised(run: Any) -> None:
    r = run(wf(TRIGGER, node("Boom", "test.boom", params={"crash": True}),
               connections=["Start->Boom"]))
    assert r.status == ExecutionStatus.FAILED
    assert r.error["type"] == "ZeroDivisionError"
    assert "division by zero" in r.error["message"]


def test_error_policy_continue_passes_error_as_data(run: Any) -> None:
    boom = node("Boom", "test.boom", params={"message": "bad"}, on_error="continue")
    r = run(wf(TRIGGER, boom, set_node("After", seen=True),
               connections=["Start->Boom", "Boom->After"]), input=[{"id": 7}])
    assert r.ok
    [item] = out(r, "After")
    assert item["id"] == 7 and item["seen"] is True and item["error"]["message"] == "bad"


def test_error_policy_route_sends_items_to_error_output(run: Any) -> None:
    boom = node("Boom", "test.boom", params={"message": "bad"}, on_error="route")
    r = run(wf(TRIGGER, boom, set_node("Ok", ok=True), set_node("Handle", handled=True),
               connections=["Start->Boom", "Boom->Ok", "Boom.error->Handle"]))
    assert r.ok
    assert r.run_for("Ok") is None
    assert out(r, "Handle")[0]["handled"] is True


def test_per_item_errors_route_only_failing_items(run: Any) -> None:
    s = node("Typed", "core.set", on_error="route", params={"assignments": [
        {"name": "n", "value": "{{ $json.v }}", "type": "number"}]})
    r = run(wf(TRIGGER, s, set_node("Good", good=True), set_node("Bad", bad=True),
               connections=["Start->Typed", "Typed->Good", "Typed.error->Bad"]),
            input=[{"v": "3"}, {"v": "x"}, {"v": 5}])
    assert r.ok, r.error
    assert [i["n"] for i in out(r, "Good")] == [3, 5]
    assert [i["v"] for i in out(r, "Bad")] == ["x"]


def test_execute_once_uses_first_item_only(run: Any) -> None:
    a = set_node("A", a=1)
    a["execute_once"] = True
    r = run(wf(TRIGGER, a, connections=["Start->A"]), input=[{"i": 1}, {"i": 2}, {"i": 3}])
    assert out(r, "A") == [{"i": 1, "a": 1}]


def test_always_output_data_keeps_the_branch_alive(run: Any) -> None:
    quiet = node("Quiet", "test.nothing", always_output_data=True)
    r = run(wf(TRIGGER, quiet, set_node("Next", n=1), connections=["Start->Quiet",
                                                                   "Quiet->Next"]))
    assert out(r, "Next") == [{"n": 1}]
    r = run(wf(TRIGGER, node("Quiet", "test.nothing"), set_node("Next", n=1),
               connections=["Start->Quiet", "Quiet->Next"]))
    assert r.ok and r.run_for("Next") is None


def test_workflow_timeout_stops_a_long_node(run: Any) -> None:
    d = wf(TRIGGER, node("Slow", "test.sleep", params={"seconds": 30}),
           connections=["Start->Slow"], settings={"timeout_s": 0.3})
    t0 = time.monotonic()
    r = run(d)
    assert time.monotonic() - t0 < 5
    assert r.status == ExecutionStatus.FAILED
    assert r.error["type"] == "ExecutionTimeout" and "timeout" in r.error["message"].lower()


def test_cancellation_from_another_thread(run: Any) -> None:
    ev = threading.Event()
    d = wf(TRIGGER, node("Slow", "test.sleep", params={"seconds": 30}), set_node("After", a=1),
           connections=["Start->Slow", "Slow->After"])
    threading.Thread(target=lambda: (_nodes.STARTED.wait(5), ev.set()), daemon=True).start()
    r = run(d, cancel_event=ev)
    assert r.status == ExecutionStatus.CANCELLED
    assert r.run_for("Slow").status == NodeRunStatus.CANCELLED
    assert r.run_for("After") is None


def test_partial_run_up_to_a_node(run: Any) -> None:
    r = run(wf(TRIGGER, set_node("A", a=1), set_node("B", b=1), set_node("C", c=1),
               connections=["Start->A", "A->B", "Start->C"]), destination="A")
    assert [n.node for n in r.node_runs] == ["Start", "A"]


def test_partial_run_reuses_earlier_data(run: Any) -> None:
    from engine.sdk import Item

    r = run(wf(TRIGGER, set_node("A", a=1), set_node("B", b=1),
               connections=["Start->A", "A->B"]), destination="B",
            reuse={"Start": {"main": [Item(json={"k": 1})]},
                   "A": {"main": [Item(json={"from": "before"})]}})
    assert r.run_for("A").status == NodeRunStatus.REUSED
    assert out(r, "B") == [{"from": "before", "b": 1}]


def test_pinned_data_used_in_manual_runs_only(run: Any) -> None:
    d = wf(TRIGGER, set_node("A", a=1), set_node("B", b=1),
           connections=["Start->A", "A->B"], pinned_data={"A": [{"json": {"pinned": True}}]})
    r = run(d)
    assert r.run_for("A").status == NodeRunStatus.PINNED
    assert out(r, "B") == [{"pinned": True, "b": 1}]
    r = run(d, mode="trigger")
    assert out(r, "B") == [{"a": 1, "b": 1}]


def test_sub_workflow_returns_last_node_output(run: Any) -> None:
    child = wf(node("In", "core.manual_trigger"), set_node("Double", doubled=True),
               connections=["In->Double"], name="child")
    r = run(wf(TRIGGER, node("Call", "test.call_sub", params={"workflow": child}),
               connections=["Start->Call"]), input=[{"v": 1}])
    assert r.ok, r.error
    assert out(r, "Call") == [{"v": 1, "doubled": True}]


def test_sub_workflow_recursion_is_bounded(run: Any) -> None:
    inner = wf(node("In", "core.manual_trigger"), name="leaf")
    for _ in range(12):
        inner = wf(node("In", "core.manual_trigger"),
                   node("Call", "test.call_sub", params={"workflow": inner}),
                   connections=["In->Call"], name="level")
    r = run(inner)
    assert r.status == ExecutionStatus.FAILED
    assert "nested more than" in r.error["message"]


def test_expression_reaches_paired_upstream_item(run: Any) -> None:
    d = wf(TRIGGER, set_node("Order", total=10), node("If", "core.if", params={"conditions": [
        {"left": "{{ $json.id }}", "type": "number", "operation": "gt", "right": 1}]}),
        set_node("Use", seen="{{ $node('Order').json.id }}"),
        connections=["Start->Order", "Order->If", "If.true->Use"])
    r = run(d, input=[{"id": 1}, {"id": 2}, {"id": 3}])
    assert r.ok, r.error
    assert [i["seen"] for i in out(r, "Use")] == [2, 3]


@pytest.mark.parametrize("mode", ["manual", "trigger"])
def test_result_serializes_to_json(run: Any, mode: str) -> None:
    import json

    r = run(wf(TRIGGER, set_node("A", a=1), connections=["Start->A"]), mode=mode)
    data = json.loads(json.dumps(r.to_dict()))
    assert data["status"] == "succeeded" and data["node_runs"][1]["outputs"]["main"][0]["json"]
