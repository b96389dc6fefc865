"""Template semantics: native values vs interpolation, escapes, walking parameters."""

from __future__ import annotations

import pytest

from engine.errors import ExpressionError
from engine.expressions import (
    ExpressionSyntaxError,
    Template,
    compile_template,
    evaluate,
    evaluate_value,
    is_expression,
)
from tests.expressions.support import ev, make_ctx


def test_text_without_braces_is_returned_untouched() -> None:
    ctx = make_ctx()
    for text in ["plain", "", "a } b", "{ not } an expression", "$json.price"]:
        assert evaluate(text, ctx) is text


def test_single_expression_gives_the_native_value() -> None:
    assert ev("{{ $json.qty }}") == 3
    assert ev("  {{ $json.tags }}\n") == ["b", "a", "c"]
    assert ev("{{ $json.nested }}") == {"deep": {"value": 42}}
    assert ev("{{ $json.none }}") is None
    assert ev("{{ $json.flag }}") is True
    assert ev("{{ $now }}") == "2024-03-10T13:30:15+01:00"   # dates leave as ISO text


def test_interpolation_converts_to_text() -> None:
    assert ev("Total: {{ $json.price * $json.qty }} EUR") == "Total: 7.5 EUR"
    assert ev("{{ $json.qty }}{{ $json.qty }}") == "33"
    assert ev("n={{ $json.none }}.") == "n=."
    assert ev("b={{ $json.flag }}") == "b=true"
    assert ev("f={{ 2.0 }} g={{ 0.1 + 0.2 }}") == "f=2 g=0.30000000000000004"
    assert ev("tags={{ $json.tags }}") == 'tags=["b","a","c"]'
    assert ev("obj={{ {'a': 1, 'b': 'é'} }}") == 'obj={"a":1,"b":"é"}'
    assert ev("at {{ $now }}") == "at 2024-03-10T13:30:15+01:00"


def test_returned_containers_are_copies() -> None:
    ctx = make_ctx()
    out = evaluate("{{ $json.nested }}", ctx)
    out["deep"]["value"] = 0
    assert ctx.json["nested"]["deep"]["value"] == 42


def test_braces_inside_expressions() -> None:
    assert ev("{{ {'a': {'b': 1}} }}") == {"a": {"b": 1}}
    assert ev("{{ '}}' + 'x' }}") == "}}x"
    assert ev("{{ \"{{\" }}") == "{{"
    assert ev("{{ {'a': 1}['a'] }}}") == "1}"


def test_escaped_braces_are_literal() -> None:
    assert ev(r"\{{ not evaluated }}") == "{{ not evaluated }}"
    assert ev(r"literal \{{ and {{ $json.qty }}") == "literal {{ and 3"


def test_unclosed_braces_explain_the_escape() -> None:
    with pytest.raises(ExpressionSyntaxError, match=r"no matching '}}'.*\\\{\{"):
        ev("price {{ $json.price")


def test_empty_expression() -> None:
    with pytest.raises(ExpressionSyntaxError, match="empty"):
        ev("{{   }}")


def test_is_expression() -> None:
    assert is_expression("a {{ b }}")
    assert not is_expression("a { b }")
    assert not is_expression(3)
    assert not is_expression(None)


def test_compile_template_is_cached_and_reports_nodes() -> None:
    t = compile_template('{{ $node("Fetch").json.id }} and {{ $("Other").json }}')
    assert isinstance(t, Template)
    assert compile_template('{{ $node("Fetch").json.id }} and {{ $("Other").json }}') is t
    assert t.nodes == {"Fetch", "Other"}
    assert not t.is_native
    assert compile_template("{{ 1 }}").is_native


def test_compile_errors_happen_at_compile_time() -> None:
    with pytest.raises(ExpressionError):
        compile_template("{{ lambda: 1 }}")
    with pytest.raises(ExpressionSyntaxError):
        compile_template("{{ 1 + }}")


def test_evaluate_value_walks_parameters() -> None:
    params = {
        "url": "{{ $env.API_BASE }}/items/{{ $json.qty }}",
        "assignments": [{"name": "total", "value": "{{ $json.price * 2 }}"},
                        {"name": "fixed", "value": 7}],
        "options": {"flag": "{{ !$json.flag }}", "raw": "no braces"},
        "number": 1.5,
    }
    out = evaluate_value(params, make_ctx(), node="Set")
    assert out == {
        "url": "https://api.example.com/items/3",
        "assignments": [{"name": "total", "value": 5.0}, {"name": "fixed", "value": 7}],
        "options": {"flag": False, "raw": "no braces"},
        "number": 1.5,
    }
    assert params["assignments"][0]["value"] == "{{ $json.price * 2 }}"  # input untouched


def test_errors_name_node_and_parameter_path() -> None:
    params = {"assignments": [{"value": "ok"}, {"value": "{{ $json.none.x }}"}]}
    with pytest.raises(ExpressionError) as err:
        evaluate_value(params, make_ctx(), node="Set Fields")
    e = err.value
    assert e.node == "Set Fields"
    assert e.parameter == "assignments[1].value"
    assert "node 'Set Fields'" in str(e) and "parameter 'assignments[1].value'" in str(e)
    assert "Cannot read field 'x' of null" in str(e)
    assert "$json.none" in str(e)


def test_node_name_defaults_to_the_context() -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate("{{ 1/0 }}", make_ctx(node_name="Calc"), parameter="amount")
    assert err.value.node == "Calc" and err.value.parameter == "amount"
    assert "Division by zero" in str(err.value)


def test_compile_error_names_node_and_parameter() -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate("{{ $json. }}", make_ctx(), node="N", parameter="p")
    assert err.value.node == "N" and err.value.parameter == "p"
    assert "{{ $json. }}" in str(err.value)
