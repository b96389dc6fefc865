"""Node-RED's flow context, JSONata, trigger and batch nodes, over the real example flows
in ../shared/fixtures/node-red: imported, then run through the executor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.executor import Executor, RunRequest
from engine.interop import import_data, import_path
from engine.sdk.context import SHARED_DATA_KEY

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "node-red"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures/node-red")
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="workflow fixtures not here")


def _flow(name: str) -> Any:
    [res] = import_path(FIXTURES / name)
    assert res.workflow is not None and res.report.fully_mapped, res.report.to_dict()
    return res


def _payloads(result: Any, node: str) -> list[Any]:
    assert result.status == "succeeded", result.error
    return [i.json["payload"] for i in result.run_for(node).outputs["main"]]


def test_flow_context_counter_counts_across_runs_and_resets() -> None:
    """function/change/05: 'increment count' sets flow.count = $flowContext("count") + 1
    (JSONata), then msg.payload = flow.count; 'set count to 0' resets it."""
    res = _flow("function__change__05_-_Set_flow_context.json")
    wf = res.workflow
    assert wf.node("increment count").type == "core.change"
    static: dict[str, Any] = {}  # the workflow's static data, kept between runs

    def run(trigger: str, debug: str) -> list[Any]:
        request = RunRequest(workflow=wf, trigger_node=trigger, static_data=static)
        return _payloads(Executor().run(request), debug)

    # before any reset the count is undefined, and so is undefined + 1 (as in Node-RED)
    assert run("inject", "debug") == [None]
    assert run("inject 2", "debug 2") == [0]
    assert run("inject", "debug") == [1]
    assert run("inject", "debug") == [2]
    assert static[SHARED_DATA_KEY]["flow"] == {"count": 2}
    assert run("inject 2", "debug 2") == [0]
    assert run("inject", "debug") == [1]


def test_jsonata_switch_rules_route_odd_and_even() -> None:
    """function/switch/05: the rules are JSONata ('(payload % 2) = 0')."""
    wf = _flow("function__switch__05_-_Use_JSONata_for_switch_rule.json").workflow
    odd = Executor().run(RunRequest(workflow=wf, trigger_node="inject"))  # injects 7
    assert _payloads(odd, "Odd") == ["odd"] and odd.run_for("Even") is None
    even = Executor().run(RunRequest(workflow=wf, trigger_node="inject 2"))  # injects 8
    assert _payloads(even, "Even") == ["even"] and even.run_for("Odd") is None


def test_jsonata_sort_keys_order_the_sequence() -> None:
    """sequence/sort/02: 'sort 4' sorts by payload.price, 'sort 6' by a JSONata key that
    pads the price and appends the name."""
    wf = _flow("sequence__sort__02_-_Sort_message_sequence.json").workflow
    for inject, data, sort, key in (
        ("inject 4", "data 4", "sort 4", lambda p: p["price"]),
        ("inject 6", "data 6", "sort 6", lambda p: f"{p['price']:04d}{p['name']}"),
    ):
        rows = json.loads(wf.node(data).parameters["template"])
        result = Executor().run(RunRequest(workflow=wf, trigger_node=inject))
        assert _payloads(result, sort) == sorted(rows, key=key)
        assert _payloads(result, sort) != rows  # the data does need sorting


@pytest.mark.slow
def test_trigger_watchdog_sends_timeout_once_after_its_duration() -> None:
    """function/trigger/02: a watchdog that sends 'timeout' 5 s after the last message."""
    res = _flow(
        "function__trigger__02_-_Trigger_a_flow_if_message_is_not_received_after_defined_time.json"
    )
    wf = res.workflow
    assert wf.node("Watchdog").parameters == {"mode": "delay", "seconds": 5.0}
    assert "carries over" in next(n for n in res.report.nodes if n.name == "Watchdog").notes[0]
    result = Executor().run(RunRequest(workflow=wf))
    assert _payloads(result, "debug 2") == ["timeout"]
    assert len(_payloads(result, "debug")) == 1  # the message itself went on at once


def test_time_based_batch_passes_the_run_on_as_one_sequence() -> None:
    """sequence/batch/02: 30 messages batched by time, then joined: in AURA the run's
    messages are the sequence, so the join collects all 30."""
    res = _flow("sequence__batch__02_-_Time-based_group_mode.json")
    wf = res.workflow
    assert wf.node("batch").type == "core.noop"
    wf.node("delay").disabled = True  # its rate limit (1 a second) would take 30 s here
    result = Executor().run(RunRequest(workflow=wf))
    assert result.status == "succeeded", result.error
    [joined] = result.run_for("join msg").outputs["main"]
    assert joined.json == {"payload": list(range(30))}


def _nr(*nodes: dict[str, Any]) -> list[dict[str, Any]]:
    tab = {"id": "t1", "type": "tab", "label": "Context"}
    return [tab, *({"z": "t1", "x": 100 * i, "y": 0, **n} for i, n in enumerate(nodes))]


def test_flow_and_global_context_are_shared_by_change_switch_and_function_nodes() -> None:
    flow = _nr(
        {"id": "i", "type": "inject", "payload": "3", "payloadType": "num", "wires": [["c"]]},
        {
            "id": "c",
            "type": "change",
            "name": "remember",
            "rules": [
                {"t": "set", "p": "limit", "pt": "flow", "to": "payload", "tot": "msg"},
                {"t": "set", "p": "seen", "pt": "global", "to": "true", "tot": "bool"},
            ],
            "wires": [["f"]],
        },
        {
            "id": "f",
            "type": "function",
            "name": "read",
            "func": "msg.payload = flow.get('limit') * 10; msg.seen = global.get('seen');"
            " flow.set('from_js', 'js'); return msg;",
            "outputs": 1,
            "wires": [["s"]],
        },
        {
            "id": "s",
            "type": "switch",
            "name": "big",
            "property": "limit",
            "propertyType": "flow",
            "rules": [{"t": "gt", "v": "2", "vt": "num"}],
            "outputs": 1,
            "wires": [["t"]],
        },
        {
            "id": "t",
            "type": "change",
            "name": "out",
            "rules": [{"t": "set", "p": "js", "pt": "msg", "to": "from_js", "tot": "flow"}],
            "wires": [[]],
        },
    )
    [res] = import_data(flow, fmt="node-red")
    assert res.workflow is not None and res.report.fully_mapped, res.report.to_dict()
    notes = " ".join(n for r in res.report.nodes for n in r.notes)
    assert "global context is kept per workflow" in notes
    result = Executor().run(RunRequest(workflow=res.workflow))
    assert result.status == "succeeded", result.error
    [out] = result.run_for("out").outputs["main"]
    assert out.json == {"payload": 30, "seen": True, "js": "js"}


def test_a_function_node_loading_crypto_as_a_lib_hashes_the_payload() -> None:
    import hashlib

    flow = _nr(
        {"id": "i", "type": "inject", "payload": "abc", "payloadType": "str", "wires": [["f"]]},
        {
            "id": "f",
            "type": "function",
            "name": "sign",
            "libs": [{"var": "cr", "module": "crypto"}],
            "func": "msg.payload = cr.createHash('sha256').update(msg.payload).digest('hex');"
            "\nreturn msg;",
            "outputs": 1,
            "wires": [[]],
        },
    )
    [res] = import_data(flow, fmt="node-red")
    assert res.workflow is not None and res.report.fully_mapped, res.report.to_dict()
    result = Executor().run(RunRequest(workflow=res.workflow))
    assert _payloads(result, "sign") == [hashlib.sha256(b"abc").hexdigest()]
    flow[2]["libs"] = [{"var": "fs", "module": "fs"}]
    [res] = import_data(flow, fmt="node-red")
    sign = next(n for n in res.report.nodes if n.name == "sign")
    assert sign.status == "not_supported" and "other than crypto" in sign.notes[0]
