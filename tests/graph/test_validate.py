"""Workflow model and validation: precise messages for what users get wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.errors import WorkflowValidationError
from engine.graph import load_workflow, validate, workflow_json_schema
from engine.sdk import get_catalog


def wf(nodes: list[dict[str, Any]], conns: list[tuple[str, str]] = (), **kw: Any
       ) -> dict[str, Any]:
    c = []
    for a, b in conns:
        src, _, out = a.partition(".")
        dst, _, inp = b.partition(".")
        c.append({"source": src, "output": out or "main", "target": dst, "input": inp or "main"})
    return {"name": "t", "nodes": nodes, "connections": c, **kw}


START = {"name": "Start", "type": "core.manual_trigger"}


def report(d: dict[str, Any]) -> Any:
    return validate(load_workflow(d), get_catalog())


def messages(d: dict[str, Any]) -> list[str]:
    return [p.message for p in report(d).errors]


def test_valid_workflow_round_trips_as_json() -> None:
    d = wf([START, {"name": "A", "type": "core.set"}], [("Start", "A")],
           settings={"timezone": "Europe/Paris"}, pinned_data={"A": [{"json": {"x": 1}}]})
    w = load_workflow(d)
    again = load_workflow(json.dumps(w.to_json_dict()))
    assert again == w
    assert report(d).ok


def test_unknown_type_suggests_close_names() -> None:
    [msg] = messages(wf([START, {"name": "A", "type": "core.sett"}], [("Start", "A")]))
    assert "Unknown node type 'core.sett'" in msg and "core.set" in msg


def test_unknown_version_lists_installed_ones() -> None:
    [msg] = messages(wf([START, {"name": "A", "type": "core.set", "type_version": 9}],
                        [("Start", "A")]))
    assert "no version 9" in msg and "installed versions: 1" in msg


def test_dangling_connection_names_the_missing_node() -> None:
    [msg] = messages(wf([START], [("Start", "Ghost")]))
    assert "'Ghost' that does not exist" in msg


def test_duplicate_names_are_refused() -> None:
    msgs = messages(wf([START, {"name": "A", "type": "core.set"},
                        {"name": "A", "type": "core.set"}], [("Start", "A")]))
    assert any("Two nodes are named 'A'" in m for m in msgs)


def test_cycles_are_refused_with_the_loop_spelled_out() -> None:
    a, b = {"name": "A", "type": "core.set"}, {"name": "B", "type": "core.set"}
    msgs = messages(wf([START, a, b],
                       [("Start", "A"), ("A", "B"), ("B", "A")]))
    assert any("cycle" in m and "A -> B -> A" in m for m in msgs)


def test_unknown_ports_are_refused() -> None:
    cond = {"conditions": []}
    msgs = messages(wf([START, {"name": "If", "type": "core.if", "parameters": cond},
                        {"name": "A", "type": "core.set"}], [("Start", "If"), ("If.maybe", "A")]))
    assert any("no output 'maybe'" in m and "true, false" in m for m in msgs)
    msgs = messages(wf([START, {"name": "A", "type": "core.set"}], [("A", "Start")]))
    assert any("trigger and takes no input" in m for m in msgs)


def test_error_output_needs_route_policy() -> None:
    a, b = {"name": "A", "type": "core.set"}, {"name": "B", "type": "core.set"}
    msgs = messages(wf([START, a, b],
                       [("Start", "A"), ("A.error", "B")]))
    assert any("'route'" in m for m in msgs)
    d = wf([START, {"name": "A", "type": "core.set", "on_error": "route"},
            {"name": "B", "type": "core.set"}], [("Start", "A"), ("A.error", "B")])
    assert report(d).ok


def test_bad_parameters_name_node_and_field() -> None:
    [msg] = messages(wf([START, {"name": "A", "type": "core.set",
                                 "parameters": {"keep": "some"}}], [("Start", "A")]))
    assert "Node 'A', parameter 'keep'" in msg


def test_expressions_are_not_type_checked_before_run() -> None:
    d = wf([START, {"name": "L", "type": "core.limit",
                    "parameters": {"max_items": "{{ $json.n }}"}}], [("Start", "L")])
    assert report(d).ok


def test_unreachable_nodes_are_warnings() -> None:
    r = report(wf([START, {"name": "A", "type": "core.set"}, {"name": "Lost", "type": "core.set"}],
                  [("Start", "A")]))
    assert r.ok
    assert [p.node for p in r.warnings if p.code == "unreachable"] == ["Lost"]


def test_structural_errors_list_every_problem_with_a_path() -> None:
    with pytest.raises(WorkflowValidationError) as e:
        load_workflow({"nodes": [{"name": "", "type": "core.set"}, {"type": "core.set"}],
                       "connections": []})
    paths = [d["path"] for d in e.value.details]
    assert any(p.startswith("nodes[0]") for p in paths) and len(paths) >= 2


@pytest.mark.parametrize("text,needle", [
    ("not json at all", "not valid JSON"),
    ("[1, 2, 3]", "must be a JSON object"),
    ('{"hello": 1}', "does not look like an AURA workflow"),
    ("[" * 5000 + "]" * 5000, "nested"),
    ('{"format": "aura.workflow/99", "nodes": []}', "Unknown workflow format"),
])
def test_malformed_files_give_clear_errors(text: str, needle: str) -> None:
    with pytest.raises(WorkflowValidationError) as e:
        load_workflow(text)
    assert needle in e.value.message


def test_deeply_nested_parameters_are_refused() -> None:
    deep: Any = 1
    for _ in range(200):
        deep = {"x": deep}
    text = json.dumps(wf([START, {"name": "A", "type": "core.set",
                                  "parameters": {"json_value": deep}}]))
    with pytest.raises(WorkflowValidationError, match="nested"):
        load_workflow(text)


def test_too_many_nodes_is_a_clear_error() -> None:
    nodes = [START] + [{"name": f"N{i}", "type": "core.noop"} for i in range(10_000)]
    msgs = messages(wf(nodes))
    assert msgs and "limit is 5,000" in msgs[0] and "sub-workflows" in msgs[0]


def test_bad_timezone_is_explained() -> None:
    with pytest.raises(WorkflowValidationError, match="IANA"):
        load_workflow(wf([START], settings={"timezone": "Mars/Olympus"}))


def test_json_schema_export_describes_the_format() -> None:
    schema = workflow_json_schema()
    assert schema["title"] == "AURA workflow"
    assert {"nodes", "connections", "settings"} <= set(schema["properties"])


def test_tags_with_control_characters_are_refused_saying_which() -> None:
    """A NUL in a tag would break filtering by tag on PostgreSQL for everyone."""
    with pytest.raises(WorkflowValidationError) as e:
        load_workflow(wf([START], tags=["ok", "bad\x00tag"]))
    assert any(d["path"].startswith("tags") and "control character" in d["message"]
               for d in e.value.details)
    assert load_workflow(wf([START], tags=["sales", "nightly · ETL"])).tags == [
        "sales", "nightly · ETL"]
