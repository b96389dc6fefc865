"""Parameter problems read the same everywhere, in plain words (issue 19, items 6 and 13)."""

from __future__ import annotations

import pytest

from engine.expressions import ExpressionContext, evaluate
from engine.graph.messages import param_path, plain_message


def test_one_path_format_for_parameters() -> None:
    assert param_path(("assignments", 1, "value")) == "assignments[1].value"
    assert param_path("assignments.1.value") == "assignments[1].value"
    assert param_path("rules.0.conditions.2.left") == "rules[0].conditions[2].left"
    assert param_path(()) == "(parameters)"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            {"type": "string_too_short", "msg": "String should have at least 1 character"},
            "Required: enter a value.",
        ),
        ({"type": "missing", "msg": "Field required"}, "Required: enter a value."),
        (
            {"type": "literal_error", "msg": "Input should be 'manual' or 'json'"},
            "Choose one of: manual, json.",
        ),
        (
            {"type": "value_error", "msg": "Value error, 'x' is not an operation"},
            "'x' is not an operation.",
        ),
        (
            {"type": "int_parsing", "msg": "Input should be a valid integer, unable to parse"},
            "Enter a whole number.",
        ),
        (
            {"type": "greater_than_equal", "msg": "Input should be greater than or equal to 1"},
            "Enter 1 or more.",
        ),
    ],
)
def test_pydantic_wording_never_reaches_the_user(error: dict[str, str], expected: str) -> None:
    assert plain_message(error) == expected


def test_a_syntax_error_says_where() -> None:
    with pytest.raises(Exception) as info:
        evaluate("{{ $json.price * * 2 }}", ExpressionContext(json={}))
    msg = str(info.value)
    assert "at character 14 (after '$json.price *')" in msg
    assert "invalid syntax: invalid syntax" not in msg
    with pytest.raises(Exception) as info:
        evaluate("{{ $json.a + }}", ExpressionContext(json={}))
    assert "at the end" in str(info.value)
