"""Workflow Trigger: behaviour by execution mode."""

from __future__ import annotations

from engine.sdk.testing import NodeHarness

FIELDS = {"input_source": "define_fields", "fields": [{"name": "email", "type": "string"},
                                                      {"name": "n", "type": "number"}]}


def test_called_with_no_items_outputs_nothing() -> None:
    res = NodeHarness("core.workflow_trigger").run(FIELDS, [], mode="subworkflow")
    assert res.error is None and res.json() == []


def test_manual_run_outputs_a_sample_item() -> None:
    res = NodeHarness("core.workflow_trigger").run(FIELDS, [])
    assert res.error is None and res.json() == [{"email": None, "n": None}]
    res = NodeHarness("core.workflow_trigger").run({}, [])
    assert res.json() == [{}]


def test_called_items_are_checked() -> None:
    res = NodeHarness("core.workflow_trigger").run(FIELDS, [{"email": "a@b", "n": 2, "x": 1}],
                                                   mode="subworkflow")
    assert res.json() == [{"email": "a@b", "n": 2}]
    res = NodeHarness("core.workflow_trigger").run(FIELDS, [{"email": "a@b"}],
                                                   mode="subworkflow")
    assert res.error is not None and "required field 'n'" in res.error.message


def test_duplicate_field_names_are_refused() -> None:
    params = {"input_source": "define_fields", "fields": [{"name": "a"}, {"name": "a"}]}
    res = NodeHarness("core.workflow_trigger").run(params, [{"a": 1}])
    assert res.error is not None and "declared twice" in res.error.message
