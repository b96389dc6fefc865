"""Node-RED's sequence nodes, imported and run: join every N parts (the real example flow
sequence/join/02), batch in count mode with overlap feeding a join, and a trigger that
sends two messages. Each asserts what Node-RED sends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.executor import Executor, RunRequest
from engine.interop import import_data, import_path

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "node-red"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures/node-red")


def _payloads(result: Any, node: str) -> list[Any]:
    assert result.status == "succeeded", result.error
    return [i.json["payload"] for i in result.run_for(node).outputs["main"]]


def _nr(*nodes: dict[str, Any]) -> list[dict[str, Any]]:
    tab = {"id": "t1", "type": "tab", "label": "Sequences"}
    return [tab, *({"z": "t1", "x": 100 * i, "y": 0, **n} for i, n in enumerate(nodes))]


def _imported(flow: list[dict[str, Any]]) -> Any:
    [res] = import_data(flow, fmt="node-red")
    assert res.workflow is not None and res.report.fully_mapped, res.report.to_dict()
    return res


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="workflow fixtures not here")
def test_manual_joins_send_what_node_red_sends() -> None:
    """sequence/join/02: Apple, Orange, Banana, Kiwi split into messages, then joined every
    2 parts (text, list, key/value object, merged object), up to msg.complete, and merged
    every 3 keys while accumulating."""
    [res] = import_path(FIXTURES / "sequence__join__02_-_Manual_join_mode.json")
    assert res.workflow is not None and res.report.fully_mapped, res.report.to_dict()
    wf = res.workflow
    assert wf.node("join").type == "core.batch"

    def run(inject: str, join: str) -> list[Any]:
        return _payloads(Executor().run(RunRequest(workflow=wf, trigger_node=inject)), join)

    assert run("inject", "join msg") == ["Apple,Orange", "Banana,Kiwi"]
    assert run("inject 3", "join 3 msg") == ["Apple,Orange,Banana", "Kiwi"]  # msg.complete
    assert run("inject 4", "join 4 msg") == [["Apple", "Orange"], ["Banana", "Kiwi"]]
    assert run("inject 5", "join 5 msg") == [
        {"Apple": 100, "Orange": 20},
        {"Banana": 80, "Kiwi": 120},
    ]
    assert run("inject 6", "join 6 msg") == [
        {"name": "Apple", "price": 100},
        {"name": "Orange", "price": 20},
        {"name": "Banana", "price": 80},
        {"name": "Kiwi", "price": 120},
    ]
    accumulated = run("inject 7", "join 7 msg")  # every message once 3 keys are there
    assert [m["order"] for m in accumulated] == [5, 1, 20]
    assert all(m["name"] == "Apple" and m["price"] == 100 for m in accumulated)
    report = {r.name: r for r in res.report.nodes}
    assert "lasts one run" in " ".join(report["join 7"].notes)
    assert report["join 3"].status == "mapped"  # nothing to check: only how it was mapped


def _split(text: str) -> list[dict[str, Any]]:
    return [
        {"id": "i", "type": "inject", "wires": [["tpl"]]},
        {
            "id": "tpl",
            "type": "template",
            "field": "payload",
            "fieldType": "msg",
            "syntax": "plain",
            "template": text,
            "output": "str",
            "wires": [["sp"]],
        },
        {"id": "sp", "type": "split", "splt": "\\n", "spltType": "str", "wires": [["b"]]},
    ]


def test_batch_in_count_mode_with_overlap_feeds_a_join_per_group() -> None:
    """a..f in groups of 3 overlapping by 1: Node-RED sends [a,b,c] and [c,d,e]; the
    incomplete group [e,f] waits for more messages, so it is never joined."""
    flow = _nr(
        *_split("a\nb\nc\nd\ne\nf"),
        {"id": "b", "type": "batch", "mode": "count", "count": 3, "overlap": 1, "wires": [["j"]]},
        {"id": "j", "type": "join", "mode": "auto", "wires": [["d"]]},
        {"id": "d", "type": "debug", "wires": []},
    )
    res = _imported(flow)
    result = Executor().run(RunRequest(workflow=res.workflow))
    assert _payloads(result, "join msg") == [["a", "b", "c"], ["c", "d", "e"]]
    tagged = result.run_for("batch").outputs["main"]
    assert [i.json["parts"]["index"] for i in tagged] == [0, 1, 2, 0, 1, 2]
    batch = next(r for r in res.report.nodes if r.name == "batch")
    assert batch.target_type == "core.batch" and "held an incomplete" in batch.notes[0]


def _trigger(**over: Any) -> list[dict[str, Any]]:
    trigger = {
        "id": "tr",
        "type": "trigger",
        "name": "Blink",
        "op1": "on",
        "op1type": "str",
        "op2": "off",
        "op2type": "str",
        "duration": "50",
        "units": "ms",
        "outputs": 1,
        "wires": [["d"]],
    }
    return _nr(
        *_split("a\nb\nc"),
        {**trigger, **over},
        {"id": "d", "type": "debug", "name": "out", "wires": []},
        {"id": "d2", "type": "debug", "name": "second", "wires": []},
    )


def _rewire_split(flow: list[dict[str, Any]]) -> list[dict[str, Any]]:
    next(n for n in flow if n.get("id") == "sp")["wires"] = [["tr"]]
    return flow


def test_trigger_sends_its_first_message_then_the_second_after_the_delay() -> None:
    res = _imported(_rewire_split(_trigger()))
    wf = res.workflow
    assert [wf.node(n).type for n in ("Blink sends", "Blink waits", "Blink then sends")] == [
        "core.set",
        "core.delay",
        "core.set",
    ]
    assert wf.node("Blink waits").parameters["seconds"] == pytest.approx(0.05)
    result = Executor().run(RunRequest(workflow=wf))
    assert _payloads(result, "out") == ["on", "off"]  # once per run, in that order
    blink = next(r for r in res.report.nodes if r.name == "Blink")
    assert "sends the first message at once" in blink.notes[0]


def test_trigger_with_two_outputs_and_the_original_then_latest_message() -> None:
    flow = _rewire_split(_trigger(op1type="pay", op2type="payl", outputs=2, wires=[["d"], ["d2"]]))
    result = Executor().run(RunRequest(workflow=_imported(flow).workflow))
    assert _payloads(result, "out") == ["a"]  # the first message, as it came
    assert _payloads(result, "second") == ["c"]  # the latest one, after the delay
