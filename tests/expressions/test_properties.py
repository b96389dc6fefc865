"""Property tests: JSON round-trips unchanged; any text fails only with ExpressionError."""

from __future__ import annotations

import contextlib
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import ExpressionError
from engine.expressions import ExpressionContext, evaluate
from tests.expressions.support import make_ctx

JSON_SCALARS = (st.none() | st.booleans() | st.integers(-(10**12), 10**12)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)
JSON_OBJECTS = st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=6)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@settings(max_examples=150, deadline=None, database=None)
@given(JSON_OBJECTS)
def test_json_round_trips_through_the_json_variable(data: dict[str, Any]) -> None:
    ctx = ExpressionContext(json=data)
    out = evaluate("{{ $json }}", ctx)
    assert _same(out, data)
    assert out is not data or not data


@settings(max_examples=100, deadline=None, database=None)
@given(JSON_OBJECTS)
def test_json_round_trips_through_to_json_and_from_json(data: dict[str, Any]) -> None:
    ctx = ExpressionContext(json=data)
    assert _same(evaluate("{{ from_json(to_json($json)) }}", ctx), data)
    for key in list(data)[:3]:
        ctx = ExpressionContext(json=data, vars={"k": key})
        assert _same(evaluate("{{ $json[$vars.k] }}", ctx), data[key])


EXPRESSION_CHARS = st.sampled_from([*"$json.abc()[]{}'\"+-*/%<>=!?&|:,_ 0123456789",
                                    "$json", "$node", "len", "for", " in ", "if", "else",
                                    "lambda", "__class__", ".upper()", "**", "?.", "??"])


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EXPRESSION_CHARS, max_size=25).map("".join))
def test_any_text_either_evaluates_or_raises_expression_error(source: str) -> None:
    with contextlib.suppress(ExpressionError):
        evaluate("{{ " + source + " }}", make_ctx())
