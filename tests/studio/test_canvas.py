"""The canvas model: drawing nodes from specs, connecting with checks, editing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from studio.logic import canvas, clipboard, layout

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "orders.json"


@pytest.fixture
def wf() -> dict:
    from engine.graph import load_workflow

    return load_workflow(json.loads(EXAMPLE.read_text())).to_json_dict()


def _id(wf: dict, name: str) -> str:
    return next(n["id"] for n in wf["nodes"] if n["name"] == name)


def test_nodes_are_drawn_from_their_spec(wf: dict) -> None:
    nodes = {n["data"]["name"]: n for n in canvas.flow_nodes(wf)}
    iff = nodes["Big order?"]["data"]
    assert iff["title"] == "If" and iff["icon"] == "split"
    assert [p["name"] for p in iff["outputs"]] == ["true", "false"]
    assert [p["name"] for p in nodes["Merge lanes"]["data"]["inputs"]] == ["input1", "input2"]
    assert nodes["Start"]["data"]["trigger"] and nodes["Start"]["data"]["inputs"] == []
    assert nodes["Fetch orders"]["data"]["def"]["parameters"]["method"] == "GET"


def test_edges_use_ids_and_ports(wf: dict) -> None:
    edges = canvas.flow_edges(wf)
    assert len(edges) == len(wf["connections"])
    e = next(e for e in edges if e["sourceHandle"] == "true")
    assert e["source"] == _id(wf, "Big order?") and e["target"] == _id(wf, "Priority")


def test_connection_checks_explain_refusals(wf: dict) -> None:
    start, label, merge = _id(wf, "Start"), _id(wf, "Label"), _id(wf, "Merge lanes")
    assert "itself" in canvas.check_connection(wf, label, "main", label, "main")
    assert "trigger" in canvas.check_connection(wf, label, "main", start, "main")
    assert "loop" in canvas.check_connection(wf, label, "main", merge, "input1")
    assert "already connected" in canvas.check_connection(wf, _id(wf, "Priority"), "main",
                                                          merge, "input1")
    assert "no output" in canvas.check_connection(wf, start, "nope", label, "main")
    assert "no input" in canvas.check_connection(wf, start, "main", label, "input9")
    noop = canvas.add_node(wf, "core.noop", 0, 0)
    assert canvas.connect(wf, label, "main", noop["id"], "main") is None
    assert wf["connections"][-1] == {"source": "Label", "output": "main",
                                     "target": noop["name"], "input": "main"}


def test_add_node_gets_a_unique_name(wf: dict) -> None:
    a = canvas.add_node(wf, "core.set", 10, 20)
    b = canvas.add_node(wf, "core.set", 10, 20)
    assert a["name"] != b["name"] and b["position"] == [10, 20]
    assert canvas.unique_name(wf, "Label") == "Label1"


def test_delete_removes_connections_and_pins(wf: dict) -> None:
    wf["pinned_data"]["Big order?"] = [{"x": 1}]
    gone = canvas.delete(wf, [_id(wf, "Big order?")])
    assert gone == ["Big order?"]
    assert not any("Big order?" in (c["source"], c["target"]) for c in wf["connections"])
    assert "Big order?" not in wf["pinned_data"]


def test_disconnect_by_edge_id(wf: dict) -> None:
    e = canvas.flow_edges(wf)[0]
    assert canvas.disconnect(wf, [e["id"]]) == 1
    assert len(canvas.flow_edges(wf)) == 6


def test_rename_rewrites_references(wf: dict) -> None:
    assert canvas.rename(wf, _id(wf, "Start"), "Go") is None
    label = next(n for n in wf["nodes"] if n["name"] == "Label")
    assert "$node('Go')" in json.dumps(label["parameters"])
    assert wf["connections"][0]["source"] == "Go"
    assert "already named" in canvas.rename(wf, _id(wf, "Go"), "Label")
    assert canvas.rename(wf, _id(wf, "Go"), 'Bad "name"') is not None


def test_move_and_sticky_notes(wf: dict) -> None:
    note = canvas.add_sticky(wf, 5, 6, "hello")
    moved = canvas.move(wf, [{"id": _id(wf, "Start"), "x": 100.4, "y": -3},
                             {"id": canvas.STICKY + note["id"], "x": 1, "y": 2}])
    assert len(moved) == 2
    assert next(n for n in wf["nodes"] if n["name"] == "Start")["position"] == [100, -3]
    assert canvas.flow_nodes(wf)[0]["type"] == "sticky"
    canvas.update_sticky(wf, canvas.STICKY + note["id"], content="bye", size=[300, 200])
    assert wf["sticky_notes"][0]["content"] == "bye"


def test_copy_paste_round_trip(wf: dict) -> None:
    ids = [_id(wf, "Priority"), _id(wf, "Merge lanes")]
    text = clipboard.dumps(clipboard.fragment(wf, ids))
    before = copy.deepcopy(wf)
    new_ids, problem = clipboard.paste(wf, text)
    assert problem is None and len(new_ids) == 2
    assert len(wf["nodes"]) == len(before["nodes"]) + 2
    names = {n["name"] for n in wf["nodes"]} - {n["name"] for n in before["nodes"]}
    assert names == {"Priority1", "Merge lanes1"}
    assert {"source": "Priority1", "output": "main", "target": "Merge lanes1",
            "input": "input1"} in wf["connections"]


def test_paste_refuses_garbage(wf: dict) -> None:
    assert clipboard.paste(wf, "not json")[1].startswith("Nothing pasted")
    assert clipboard.paste(wf, '{"hello": 1}')[1].startswith("Nothing pasted")


def test_tidy_lays_out_left_to_right(wf: dict) -> None:
    for n in wf["nodes"]:
        n["position"] = [0, 0]
    layout.tidy(wf)
    pos = {n["name"]: n["position"] for n in wf["nodes"]}
    assert pos["Start"][0] < pos["Fetch orders"][0] < pos["Big order?"][0] < pos["Priority"][0]
    assert pos["Priority"][0] == pos["Standard"][0] and pos["Priority"][1] < pos["Standard"][1]
    assert len({tuple(p) for p in pos.values()}) == len(pos)
