"""The public surface other packages code against."""

from __future__ import annotations

import dataclasses

import engine.expressions as expressions
from engine.errors import ExpressionError


def test_public_names_are_pinned() -> None:
    assert sorted(expressions.__all__) == sorted([
        "DEFAULT_LIMITS", "DOCS", "HELPERS", "DateTime", "ExpressionContext",
        "ExpressionError", "ExpressionLimitError", "ExpressionRefused",
        "ExpressionSyntaxError", "Helper", "Limits", "RunDataAccess", "Template",
        "compile_template", "evaluate", "evaluate_value", "is_expression",
    ])


def test_context_fields() -> None:
    names = [f.name for f in dataclasses.fields(expressions.ExpressionContext)]
    assert names == ["json", "item_index", "items", "binary", "node_name", "run_data", "vars",
                     "env", "timezone", "now", "workflow", "execution", "extra"]


def test_errors_share_one_base() -> None:
    for cls in (expressions.ExpressionSyntaxError, expressions.ExpressionRefused,
                expressions.ExpressionLimitError):
        assert issubclass(cls, ExpressionError)
        assert cls("x").code == "expression_error"
