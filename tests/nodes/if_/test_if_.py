"""If node and the shared condition logic: operators, type handling, lineage, policies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from engine.sdk import PairedItem
from engine.sdk.testing import NodeHarness
from nodes.core.if_.conditions import (
    Condition,
    ConditionTypeError,
    evaluate_condition,
    evaluate_group,
)


def check(type_: str, op: str, left: Any, right: Any = None, *, cs: bool = True,
          loose: bool = False) -> bool:
    cond = Condition(type=type_, operation=op, left=left, right=right)  # type: ignore[arg-type]
    return evaluate_condition(cond, case_sensitive=cs, loose=loose)


@pytest.mark.parametrize(("type_", "op", "left", "right", "expected"), [
    ("string", "equals", "a", "a", True),
    ("string", "not_equals", "a", "b", True),
    ("string", "contains", "hello world", "lo w", True),
    ("string", "not_contains", "hello", "x", True),
    ("string", "starts_with", "hello", "he", True),
    ("string", "not_starts_with", "hello", "he", False),
    ("string", "ends_with", "hello", "lo", True),
    ("string", "not_ends_with", "hello", "lo", False),
    ("string", "regex", "order-42", r"\d+$", True),
    ("string", "not_regex", "order-42", r"^\d+$", True),
    ("string", "is_empty", "", None, True),
    ("string", "is_not_empty", "x", None, True),
    ("number", "eq", 3, 3.0, True),
    ("number", "ne", 3, 4, True),
    ("number", "gt", 5, "4", True),  # right values are converted
    ("number", "gte", 4, 4, True),
    ("number", "lt", -1, 0, True),
    ("number", "lte", 1.5, 1, False),
    ("number", "is_empty", None, None, True),
    ("boolean", "is_true", True, None, True),
    ("boolean", "is_false", False, None, True),
    ("boolean", "equals", True, "true", True),
    ("boolean", "not_equals", True, False, True),
    ("date", "before", "2024-01-01", "2024-01-02T00:00:00Z", True),
    ("date", "after", "2024-01-01T10:00:00+02:00", "2024-01-01T07:59:00Z", True),
    ("date", "equals", "2024-01-01T10:00:00+02:00", "2024-01-01T08:00:00Z", True),
    ("date", "before_or_equals", date(2024, 1, 1), "2024-01-01", True),
    ("date", "after_or_equals", datetime(2024, 1, 2, tzinfo=UTC), "2024-01-01", True),
    ("array", "contains", [1, 2, 3], 2, True),
    ("array", "not_contains", ["a"], "b", True),
    ("array", "length_eq", [1, 2], 2, True),
    ("array", "length_ne", [1, 2], 2, False),
    ("array", "length_gt", [1, 2], 1, True),
    ("array", "length_gte", [1], 1, True),
    ("array", "length_lt", [], 1, True),
    ("array", "length_lte", [1, 2], 1, False),
    ("array", "is_empty", [], None, True),
    ("array", "is_not_empty", [0], None, True),
    ("object", "is_empty", {}, None, True),
    ("object", "is_not_empty", {"a": 1}, None, True),
    ("object", "has_key", {"a": 1}, "a", True),
    ("object", "not_has_key", {"a": 1}, "b", True),
    ("any", "equals", {"a": [1, 2]}, {"a": [1, 2]}, True),
    ("any", "not_equals", 1, 2, True),
    ("string", "exists", "", None, True),
    ("number", "not_exists", None, None, True),
    ("number", "exists", float("nan"), None, False),
])
def test_operations(type_: str, op: str, left: Any, right: Any, expected: bool) -> None:
    assert check(type_, op, left, right) is expected


@pytest.mark.parametrize(("type_", "op", "left", "right"), [
    ("string", "equals", None, "x"),
    ("string", "contains", None, "x"),
    ("string", "regex", None, "x"),
    ("number", "gt", None, 1),
    ("date", "before", None, "2024-01-01"),
    ("array", "contains", None, 1),
    ("object", "has_key", None, "a"),
])
def test_missing_left_value_is_false_for_positive_operations(type_: str, op: str, left: Any,
                                                             right: Any) -> None:
    assert check(type_, op, left, right) is False


def test_missing_left_value_is_true_for_negative_operations() -> None:
    assert check("string", "not_equals", None, "x")
    assert check("string", "not_contains", None, "x")
    assert check("array", "not_contains", None, 1)
    assert check("number", "ne", None, 1)


def test_case_insensitive() -> None:
    assert check("string", "equals", "ÉCOLE", "école", cs=False)
    assert not check("string", "equals", "ÉCOLE", "école")
    assert check("array", "contains", ["Red", "Blue"], "blue", cs=False)
    assert check("object", "has_key", {"Name": 1}, "name", cs=False)
    assert check("string", "regex", "ABC", "^abc$", cs=False)


def test_regex_js_literal_flags_and_invalid_regex() -> None:
    assert check("string", "regex", "Line1\nLINE2", "/^line2$/im")
    with pytest.raises(ConditionTypeError, match="regular expression"):
        check("string", "regex", "x", "(")


@pytest.mark.parametrize(("type_", "left"), [
    ("number", "3"), ("string", 3), ("boolean", "true"), ("array", "[1]"),
    ("object", '{"a": 1}'), ("date", 1700000000),
])
def test_strict_mode_refuses_wrong_types_with_hint(type_: str, left: Any) -> None:
    op = {"number": "eq", "string": "equals", "boolean": "is_true", "array": "is_empty",
          "object": "is_empty", "date": "equals"}[type_]
    with pytest.raises(ConditionTypeError, match="Loose type validation"):
        check(type_, op, left, left)


def test_loose_mode_converts() -> None:
    assert check("number", "eq", "3", 3, loose=True)
    assert check("number", "gt", "2.5", 2, loose=True)
    assert check("string", "equals", 3, "3", loose=True)
    assert check("boolean", "is_true", "yes", loose=True)
    assert check("boolean", "is_false", 0, loose=True)
    assert check("array", "length_eq", "[1, 2]", 2, loose=True)
    assert check("object", "has_key", '{"a": 1}', "a", loose=True)
    assert check("date", "equals", 1704067200, "2024-01-01T00:00:00Z", loose=True)
    assert check("date", "equals", 1704067200000, "2024-01-01", loose=True)
    assert check("date", "before", "March 5, 2024", "2024-03-06", loose=True)
    assert check("array", "contains", [1, 2], "2", loose=True)


def test_operation_names_are_normalised_and_checked() -> None:
    assert Condition(type="string", operation="notStartsWith").operation == "not_starts_with"
    assert Condition(type="number", operation="equals").operation == "eq"
    assert Condition(type="number", operation=">=").operation == "gte"
    assert Condition(type="array", operation="lengthGt").operation == "length_gt"
    assert Condition(type="object", operation="notEmpty").operation == "is_not_empty"
    with pytest.raises(ValidationError, match="choose one of: eq, ne, gt"):
        Condition(type="number", operation="contains")


def test_group_combinators() -> None:
    t = Condition(type="boolean", operation="is_true", left=True)
    f = Condition(type="boolean", operation="is_true", left=False)
    assert evaluate_group([t, t], "and") and not evaluate_group([t, f], "and")
    assert evaluate_group([f, t], "or") and not evaluate_group([f, f], "or")
    assert evaluate_group([], "and") and evaluate_group([], "or")


def test_error_names_the_condition() -> None:
    ok = Condition(type="number", operation="gt", left=1, right=0)
    bad = Condition(type="number", operation="gt", left="x", right=0)
    with pytest.raises(ConditionTypeError, match=r"^Condition 2 \(number gt\)"):
        evaluate_group([ok, bad], "and")


COND = {"conditions": [{"left": "{{ $json.n }}", "type": "number", "operation": "gt",
                        "right": 1}]}


def test_lineage_points_at_input_items() -> None:
    res = NodeHarness("core.if").run(COND, [{"n": 0}, {"n": 5}, {"n": 7}])
    assert res.error is None
    assert [i.paired_item for i in res.outputs["true"]] == [[PairedItem(1)], [PairedItem(2)]]
    assert [i.paired_item for i in res.outputs["false"]] == [[PairedItem(0)]]


def test_route_policy_sends_failing_items_to_error_output() -> None:
    res = NodeHarness("core.if").run(COND, [{"n": 5}, {"n": "x"}], on_error="route")
    assert res.error is None
    assert res.json("true") == [{"n": 5}]
    assert res.json("false") == []
    [err] = res.json("error")
    assert err["n"] == "x" and err["error"]["item_index"] == 1
    assert "number is expected" in err["error"]["message"]


def test_binary_data_follows_the_item() -> None:
    item = {"json": {"n": 5}, "binary": {"data": {"data": "aGk=", "mime_type": "text/plain"}}}
    res = NodeHarness("core.if").run(COND, [item])
    [out] = res.outputs["true"]
    assert out.binary is not None and out.binary["data"].content() == b"hi"


REDOS = {"conditions": [{"left": "{{ $json.s }}", "type": "string", "operation": "regex",
                         "right": "^(a+)+$"}]}


def test_catastrophic_regex_answers_on_re2() -> None:
    """The pattern that pinned a worker for minutes on Python's backtracking engine."""
    res = NodeHarness("core.if").run(REDOS, [{"s": "a" * 64 + "!"}, {"s": "a" * 64}])
    assert res.error is None
    assert res.json("false") == [{"s": "a" * 64 + "!"}]
    assert res.json("true") == [{"s": "a" * 64}]


@pytest.mark.parametrize(("pattern", "what"), [
    (r"(a)\1", "back-reference"), ("a(?=b)", "look-ahead"), ("(?<!x)a", "look-behind")])
def test_unsupported_regex_is_refused_naming_node_and_condition(pattern: str, what: str
                                                                ) -> None:
    params = {"conditions": [{**REDOS["conditions"][0], "right": pattern}]}
    res = NodeHarness("core.if").run(params, [{"s": "aa"}])
    assert res.error is not None and res.error.node == "Node"  # the harness names it so
    assert "Condition 1 (string regex)" in res.error.message and what in res.error.message
    assert "RE2" in res.error.message
