"""``{{ ... }}`` expressions: a small, safe-by-construction language over JSON values.

Syntax is Python's expression syntax with ``$`` variables (``$json.price * 2``,
``$node("Fetch").json.id``) plus common JavaScript habits (``&&``, ``||``, ``!``, ``===``,
``c ? a : b``, ``a ?? b``, ``a?.b``, ``.length``, ``toUpperCase()``). An expression is
parsed once, checked against a whitelist of syntax, and compiled into closures that
only ever handle JSON values, an opaque :class:`DateTime` and read-only views: there is
no path to Python objects, attributes, imports or builtins. Work, time, sizes and
nesting are bounded (:class:`Limits`). See ``docs/expressions.md``.

Modules: ``_tokenize`` (template split, JS rewrite) → ``_compile`` (AST → closures;
``_comprehension``, ``_variables``) → ``_ops`` (operators, field access, dispatch) →
``_registry`` + ``_methods_text``/``_methods_data`` (methods by kind) and ``helpers``
(functions); ``_values`` (conversion out), ``_datetime``, ``_views``, ``_regex``,
``_limits``, ``_template`` (compiled, cached templates), ``_reference`` (generated docs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from engine.errors import ExpressionError
from engine.expressions._datetime import DateTime
from engine.expressions._errors import (
    ExpressionLimitError,
    ExpressionRefused,
    ExpressionSyntaxError,
    locate,
)
from engine.expressions._limits import DEFAULT_LIMITS, Limits
from engine.expressions._registry import DOCS
from engine.expressions._template import Template, compile_cached, wrap_exception
from engine.expressions.helpers import HELPERS, Helper
from engine.sdk.items import Item

__all__ = [
    "DEFAULT_LIMITS",
    "DOCS",
    "HELPERS",
    "DateTime",
    "ExpressionContext",
    "ExpressionError",
    "ExpressionLimitError",
    "ExpressionRefused",
    "ExpressionSyntaxError",
    "Helper",
    "Limits",
    "RunDataAccess",
    "Template",
    "compile_template",
    "evaluate",
    "evaluate_value",
    "is_expression",
]


class RunDataAccess(Protocol):
    """What ``$node("Name")`` needs from the executor's run data."""

    def has_run(self, node: str) -> bool: ...

    def output_items(self, node: str, port: str = "main") -> list[Item]: ...

    def paired_item(self, node: str, item_index: int) -> Item | None:
        """The output item of `node` that the current node's main-input item `item_index`
        descends from."""


@dataclass
class ExpressionContext:
    """Everything an expression can see while evaluated for one item.

    ``env`` must already be allow-listed by the caller; ``binary`` holds metadata only
    (data is never exposed). ``extra`` adds ``$``-variables (``{"response": ...}`` is
    ``$response``).
    """

    json: dict[str, Any]
    item_index: int = 0
    items: list[Item] = field(default_factory=list)
    binary: dict[str, Any] | None = None
    node_name: str = ""
    run_data: RunDataAccess | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    env: dict[str, Any] = field(default_factory=dict)
    timezone: str = "UTC"
    now: datetime | None = None
    workflow: dict[str, Any] = field(default_factory=dict)
    execution: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def is_expression(value: object) -> bool:
    """True if ``value`` is text containing ``{{``."""
    return isinstance(value, str) and "{{" in value


def compile_template(template: str) -> Template:
    """The compiled (and cached) template; raises ExpressionError if it is invalid."""
    return compile_cached(template)


def evaluate(template: str, ctx: ExpressionContext, *, node: str | None = None,
             parameter: str | None = None) -> Any:
    """Evaluates one text value for ``ctx``.

    Text without ``{{`` is returned unchanged. A value that is exactly one ``{{ expr }}``
    gives the expression's value (dates as ISO text); anything else is interpolated
    text. Errors name ``node`` (default ``ctx.node_name``) and ``parameter``.
    """
    if "{{" not in template:
        return template
    try:
        return compile_cached(template).evaluate(ctx)
    except ExpressionError as exc:
        raise locate(exc, node or ctx.node_name or None, parameter) from None
    except Exception as exc:  # e.g. RecursionError while compiling
        raise locate(wrap_exception(exc), node or ctx.node_name or None, parameter) from None


def evaluate_value(value: Any, ctx: ExpressionContext, *, node: str | None = None,
                   path: str = "") -> Any:
    """Evaluates every ``{{ }}`` text inside ``value`` (dicts and lists walked).

    Returns new containers where something was evaluated; ``path`` (e.g.
    ``assignments[0].value``) names the parameter in errors.
    """
    if isinstance(value, str):
        if "{{" not in value:
            return value
        return evaluate(value, ctx, node=node, parameter=path or None)
    if isinstance(value, dict):
        return {k: evaluate_value(v, ctx, node=node, path=f"{path}.{k}" if path else str(k))
                for k, v in value.items()}
    if isinstance(value, list):
        return [evaluate_value(v, ctx, node=node, path=f"{path}[{i}]")
                for i, v in enumerate(value)]
    if isinstance(value, DateTime):
        return value.iso()
    return value

