"""``$jsonata("...")`` in expressions: JSONata over ``$json`` (Node-RED's msg) with the
workflow's shared context, on jsonata-python, bounded in time and depth."""

from __future__ import annotations

import pytest

from engine.errors import ExpressionError
from engine.expressions import ExpressionContext, evaluate
from engine.expressions.jsonata import evaluate_jsonata


def _ev(template: str, json: dict, **extra: object) -> object:
    return evaluate(template, ExpressionContext(json=json, extra=dict(extra)))


def test_jsonata_reads_the_item_and_the_shared_context() -> None:
    msg = {"payload": [{"price": 2}, {"price": 3.5}], "topic": "shop"}
    assert _ev('{{ $jsonata("$sum(payload.price)") }}', msg) == 5.5
    assert _ev('{{ $jsonata("$uppercase(topic) & \\"!\\"") }}', msg) == "SHOP!"
    assert _ev('{{ $jsonata("$flowContext(\\"n\\") + 1") }}', msg, flow={"n": 41}) == 42
    assert (
        _ev('{{ $jsonata("$globalContext(\\"a.b\\")") }}', msg, **{"global": {"a": {"b": 1}}}) == 1
    )
    assert _ev('{{ $jsonata("missing") }}', msg) is None
    assert _ev("{{ $flow.n * 2 }}", msg, flow={"n": 4}) == 8


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("payload +", "does not parse"),
        ("($f := function($x){ $f($x) }; $f(1))", "ran longer than"),
        ("$count([1..9999999].($ * 2))", "ran longer than"),
        ("x" * 10_001, "the limit is 10,000"),
    ],
)
def test_runaway_or_broken_jsonata_fails_with_a_plain_message(source: str, message: str) -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate_jsonata(source, {"payload": 1}, timeout_s=0.5, where="rule 1")
    assert message in err.value.message and "rule 1" in err.value.message


def test_jsonata_takes_one_text_argument() -> None:
    with pytest.raises(ExpressionError, match="one JSONata expression"):
        _ev("{{ $jsonata() }}", {})
    with pytest.raises(ExpressionError, match="as text"):
        _ev("{{ $jsonata(3) }}", {})
