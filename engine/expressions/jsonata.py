"""JSONata (the query language of Node-RED's change, switch, sort and inject nodes),
evaluated with ``jsonata-python`` under bounds: source length, wall-clock time and
recursion depth, so a runaway expression fails the node instead of the worker.

:func:`evaluate_jsonata` evaluates one JSONata source over a JSON value (Node-RED's
``msg``) with Node-RED's context functions bound: ``$flowContext(name)``,
``$globalContext(name)`` and ``$env(name)``. ``{{ $jsonata("payload * 2") }}`` in an AURA
expression does the same over ``$json`` (see :mod:`engine.expressions._variables`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from engine.errors import ExpressionError

__all__ = ["MAX_SOURCE", "evaluate_jsonata", "read_path"]

MAX_SOURCE = 10_000
"""Characters of one JSONata expression."""
MAX_DEPTH = 200
"""Nested function calls (recursion) one evaluation may make."""


def read_path(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` (Node-RED's ``a.b.c`` property notation), or None."""
    cur = data
    for part in (p for p in path.split(".") if p):
        if isinstance(cur, Mapping):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return None
    return cur


@lru_cache(maxsize=256)
def _parse(source: str) -> Any:
    import jsonata

    return jsonata.Jsonata(source)


def _plain(value: Any) -> Any:
    """jsonata-python's results (its sequence and range types) as plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple) or type(value).__name__ in ("JList", "RangeList"):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value) if abs(value) < 2**53 else value
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if callable(value):
        return None  # a function value is undefined once it leaves JSONata
    return str(value)


def evaluate_jsonata(
    source: str,
    data: Any,
    *,
    flow: Mapping[str, Any] | None = None,
    global_: Mapping[str, Any] | None = None,
    env: Mapping[str, Any] | None = None,
    timeout_s: float = 5.0,
    where: str = "",
) -> Any:
    """The value of JSONata ``source`` over ``data`` (``None`` when it is undefined).

    Raises:
        ExpressionError: the expression does not parse, fails, or runs out of time or
            depth; the message names ``where`` and says what to change.
    """
    at = f" in {where}" if where else ""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError(f"The JSONata expression{at} is empty; write one, e.g. payload.")
    if len(source) > MAX_SOURCE:
        raise ExpressionError(
            f"The JSONata expression{at} has {len(source):,} characters; the limit is "
            f"{MAX_SOURCE:,}."
        )
    from jsonata import jexception

    try:
        expr = _parse(source)
    except jexception.JException as exc:
        raise ExpressionError(f"The JSONata expression{at} does not parse: {exc}.") from None
    env_ = env or {}

    def ctx_get(store: Mapping[str, Any] | None) -> Callable[[Any], Any]:
        return lambda name: read_path(store or {}, str(name))

    bindings = expr.create_frame()  # per evaluation: the cached expression stays unchanged
    bindings.bind("flowContext", _fn(ctx_get(flow)))
    bindings.bind("globalContext", _fn(ctx_get(global_)))
    bindings.bind("env", _fn(lambda name: env_.get(str(name))))
    bindings.set_runtime_bounds(max(1, int(timeout_s * 1000)), MAX_DEPTH)
    try:
        return _plain(expr.evaluate(data, bindings))
    except jexception.JException as exc:
        code = getattr(exc, "error", "")
        text = str(exc)
        if code == "D1012":
            text = f"it ran longer than {timeout_s:g} s"
        elif code == "D1011":
            text = f"it nested calls more than {MAX_DEPTH} deep"
        raise ExpressionError(f"The JSONata expression{at} failed: {text}.") from None
    except RecursionError:
        raise ExpressionError(
            f"The JSONata expression{at} nests too deeply; simplify it."
        ) from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError) as exc:
        raise ExpressionError(f"The JSONata expression{at} failed: {exc}.") from None


def _fn(call: Callable[[Any], Any]) -> Any:
    """A Python function JSONata can call with one argument."""
    import jsonata

    return jsonata.Jsonata.JLambda(call)
