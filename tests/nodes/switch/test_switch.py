"""Switch: dynamic outputs, validation of the fallback, lineage and error policies."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.sdk import PairedItem, get_catalog
from engine.sdk.testing import NodeHarness
from nodes.core.switch.spec import SwitchParams, outputs_for


def rule(value: str, name: str = "") -> dict[str, object]:
    return {"output_name": name, "conditions": [
        {"left": "{{ $json.kind }}", "type": "string", "operation": "equals", "right": value}]}


def test_outputs_follow_rules_and_fallback() -> None:
    p = SwitchParams.model_validate({"rules": [rule("a", "Alpha"), rule("b")],
                                     "fallback_output": "extra", "fallback_name": "Other"})
    ports = outputs_for(p)
    assert [(x.name, x.title) for x in ports] == [
        ("output_0", "Alpha"), ("output_1", "Output 1"), ("fallback", "Other")]


def test_outputs_in_expression_mode() -> None:
    p = SwitchParams.model_validate({"mode": "expression", "number_outputs": 3})
    assert [x.name for x in outputs_for(p)] == ["output_0", "output_1", "output_2"]


def test_outputs_from_raw_or_partly_built_params() -> None:
    """The validator calls outputs_for with model_construct(**raw) when params are invalid."""
    raw = {"rules": [{"conditions": []}, {"conditions": []}], "fallback_output": "extra"}
    assert len(outputs_for(raw)) == 3
    assert len(outputs_for(SwitchParams.model_construct(**raw))) == 3
    spec = get_catalog().get("core.switch")
    assert [x.name for x in spec.output_ports(SwitchParams.model_construct(**raw))] == [
        "output_0", "output_1", "fallback"]


def test_fallback_index_must_name_a_rule() -> None:
    with pytest.raises(ValidationError, match="fallback_output 2 is not a rule output"):
        SwitchParams.model_validate({"rules": [rule("a"), rule("b")], "fallback_output": 2})
    assert SwitchParams.model_validate({"rules": [rule("a")], "fallback_output": "0"}
                                       ).fallback_output == 0


def test_lineage_and_all_outputs_present() -> None:
    res = NodeHarness("core.switch").run({"rules": [rule("a"), rule("b"), rule("c")]},
                                         [{"kind": "b"}, {"kind": "a"}])
    assert res.error is None
    assert res.outputs["output_0"][0].paired_item == [PairedItem(1)]
    assert res.outputs["output_1"][0].paired_item == [PairedItem(0)]
    assert res.json("output_2") == []


def test_continue_policy_sends_bad_items_to_first_output() -> None:
    params = {"mode": "expression", "number_outputs": 2, "output_index": "{{ $json.i }}"}
    res = NodeHarness("core.switch").run(params, [{"i": 1}, {"i": "two"}], on_error="continue")
    assert res.json("output_1") == [{"i": 1}]
    [bad] = res.json("output_0")
    assert "not a number" in bad["error"]["message"]
