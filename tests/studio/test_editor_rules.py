"""What a node's spec declares beyond types, as the editor applies it (issue 19): fields
shown by options, choices with readable labels refused on save when wrong, premature
errors held back, previews from pinned data, and plain wording elsewhere (no browser)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.auth.types import Principal
from studio.logic import canvas, form, form_rules, preview

OWNER = Principal(user_id=None, email=None, role="owner")


def _field(type_: str, key: str) -> dict[str, Any]:
    return next(f for f in form.describe(type_) if f["key"] == key)


def test_fixed_choices_have_readable_labels() -> None:
    mode = _field("core.set", "mode")
    assert mode["kind"] == "options" and not mode["free"]
    assert [o["label"] for o in mode["options"]] == ["Manual mapping", "JSON"]
    keep = _field("core.set", "keep")
    assert "All fields" in [o["label"] for o in keep["options"]]
    conditions = _field("core.if", "conditions")
    op = next(f for f in conditions["fields"] if f["key"] == "operation")
    assert op["kind"] == "options" and not op["free"]  # a select, not free text
    numbers = form_rules.options_of(op, {"type": "number"}, conditions["fields"])
    assert {"value": "gt", "label": "is greater than"} in numbers
    strings = form_rules.options_of(op, {}, conditions["fields"])  # type defaults to string
    assert strings[0] == {"value": "equals", "label": "is equal to"}


def test_fields_apply_only_to_their_options() -> None:
    fields = form.describe("core.set")
    shown = {f["key"] for f in fields if form_rules.visible(f, {"mode": "manual"}, fields)}
    assert "assignments" in shown and "json_value" not in shown and "fields" not in shown
    shown = {
        f["key"]
        for f in fields
        if form_rules.visible(f, {"mode": "json", "keep": "selected"}, fields)
    }
    assert "json_value" in shown and "fields" in shown and "assignments" not in shown
    # a hidden field is not checked: an empty assignment in JSON mode is no error
    params = {"mode": "json", "assignments": [{"name": "", "value": 1}]}
    assert form_rules.validation_errors("core.set", 1, params) == {}
    assert "assignments.0.name" in form_rules.validation_errors(
        "core.set", 1, {**params, "mode": "manual"}
    )


def test_every_show_rule_names_a_sibling_and_its_values() -> None:
    from engine.sdk import get_catalog

    def walk(fields: list[dict[str, Any]], where: str) -> None:
        keys = {f["key"]: f for f in fields}
        for f in fields:
            for rule in ("show", "hide"):
                for key, allowed in (f.get(rule) or {}).items():
                    assert key in keys, f"{where}.{f['key']}: {rule} names no field '{key}'"
                    opts = {o["value"] for o in keys[key]["options"]}
                    if opts and not keys[key]["free"]:
                        assert {str(a) for a in allowed} <= opts, f"{where}.{f['key']}"
            if f.get("options_by"):
                assert f["options_by"]["field"] in keys, f"{where}.{f['key']}"
            walk(f.get("fields") or [], f"{where}.{f['key']}")

    for spec in get_catalog().latest():
        walk(form.describe(spec.type, spec.version), spec.type)


def test_a_value_outside_the_choices_is_refused_on_save_even_beside_an_expression() -> None:
    wf = {"name": "W", "nodes": [], "connections": [], "pinned_data": {}}
    node = canvas.add_node(wf, "core.if", 0, 0)
    node["parameters"] = {
        "conditions": [
            {
                "left": "{{ $json.total }}",
                "type": "number",
                "operation": "greater than",
                "right": 100,
            }
        ]
    }
    refused = form_rules.workflow_refusals(wf)
    assert len(refused) == 1
    assert refused[0]["node"] == "If" and refused[0]["path"] == "conditions.0.operation"
    assert "'greater than' is not a choice of Operation" in refused[0]["message"]
    assert "is greater than" in refused[0]["message"]  # the labels, not raw values
    assert "Value error" not in refused[0]["message"]
    # the node's own aliases stay accepted (number 'equals' is 'eq')
    node["parameters"]["conditions"][0]["operation"] = "equals"
    assert form_rules.workflow_refusals(wf) == []
    node["parameters"]["conditions"][0]["operation"] = "gt"
    assert form_rules.workflow_refusals(wf) == []


def test_default_names_are_not_cut_mid_phrase() -> None:
    wf = {"name": "W", "nodes": [], "connections": [], "pinned_data": {}}
    assert canvas.add_node(wf, "core.noop", 0, 0)["name"] == "No Operation"
    assert canvas.add_node(wf, "core.set", 0, 0)["name"] == "Edit Fields (Set)"


def test_preview_and_input_use_pinned_data_before_any_run() -> None:
    wf = {
        "name": "W",
        "nodes": [
            {"id": "a", "name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
            {"id": "b", "name": "Set", "type": "core.set", "position": [300, 0]},
        ],
        "connections": [{"source": "Start", "target": "Set", "output": "main", "input": "main"}],
        "pinned_data": {"Start": [{"json": {"price": 10}}, {"price": 4}]},
    }
    assert len(preview.input_items(wf, "Set", {})) == 2
    out = preview.preview_all(wf, "Set", {"v": "{{ $json.price * 2 }}"}, {})
    assert out["v"] == {"ok": True, "text": "20"}
    # without any data, a correct expression is not shown as a red problem
    wf["pinned_data"] = {}
    out = preview.preview_all(wf, "Set", {"v": "{{ $json.price * 2 }}"}, {})
    assert out["v"]["ok"] and out["v"].get("pending")
    # a syntax error is the user's: red, with where it is
    out = preview.preview_all(wf, "Set", {"assignments": [{"value": "{{ $json.a + }}"}]}, {})
    bad = out["assignments.0.value"]
    assert not bad["ok"] and "at the end" in bad["text"]


def test_creating_a_variable_is_audited_as_created() -> None:
    from engine.services.store import get_store
    from studio.logic import backend_more

    backend_more.set_variable(OWNER, "ISSUE19_NEW", "1")
    backend_more.set_variable(OWNER, "ISSUE19_NEW", "2")
    events = get_store().audit.list(target_id="ISSUE19_NEW")
    assert sorted(e.action for e in events) == ["variable.created", "variable.updated"]


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("not a valid host!!", "is not a host name"),
        ("a.example b.example", "holds several entries"),
    ],
)
def test_allow_list_wording(entry: str, says: str) -> None:
    from engine.net.ssrf import normalize_allow_entry

    with pytest.raises(ValueError, match=says):
        normalize_allow_entry(entry)


def test_an_expression_in_one_entry_does_not_hide_a_problem_in_another() -> None:
    params = {"assignments": [{"name": "", "value": "{{ $json.price * 2 }}"}]}
    assert form_rules.validation_errors("core.set", 1, params) == {
        "assignments.0.name": "Required: enter a value."}
    # a list computed by an expression as a whole is checked when it runs
    assert form_rules.validation_errors("core.set", 1, {"assignments": "{{ $json.a }}"}) == {}


def test_output_panel_of_a_past_failed_execution_says_what_happened() -> None:
    from studio.state.node_panel import _empty_output_text

    failed = _empty_output_text("failed", is_trigger=False, past_run=True)
    assert "failed" in failed and "run this node" not in failed
    assert "did not run in this execution" in _empty_output_text(
        "", is_trigger=False, past_run=True)
    assert "run this node" in _empty_output_text("", is_trigger=False, past_run=False)


def test_credential_forms_speak_plainly() -> None:
    from studio.logic import credentials

    assert credentials.validation_errors("bearer", {}, False) == {
        "token": "Required: enter a value."}
    errors = credentials.validation_errors("api_key", {"key": "k", "in": "body"}, False)
    assert errors == {"in": "Choose one of: header, query."}
