"""The ``$`` variables and ``$`` functions of expressions, and the named constants.

``$json``, ``$item``, ``$index``/``$itemIndex``, ``$input``, ``$binary``, ``$vars``,
``$env``, ``$now``, ``$today``, ``$workflow``, ``$execution``; the functions
``$node("Name")`` (also ``$("Name")`` and ``$node["Name"]``), ``$if(c, a, b)``,
``$ifEmpty(v, default)``, ``$coalesce(a, b, ...)`` (what ``a ?? b`` becomes) and
``$jsonata("expr")`` (JSONata over ``$json``, as Node-RED evaluates it over ``msg``); any
other ``$name`` (``$flow`` and ``$global``: the workflow's shared context) is looked up in
``ExpressionContext.extra`` when evaluated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from engine.errors import ExpressionError
from engine.expressions._errors import ExpressionRefused, ExpressionSyntaxError
from engine.expressions._limits import State
from engine.expressions._views import InputView, NodeView, binary_meta, current_item
from engine.expressions.helpers import now_of

__all__ = ["CONSTANTS", "VARIABLES", "dollar_call", "dollar_name", "env_lookup"]

Fn = Callable[[State], Any]

CONSTANTS: dict[str, Any] = {
    "true": True,
    "True": True,
    "false": False,
    "False": False,
    "null": None,
    "None": None,
    "undefined": None,
}

_VARS: dict[str, Fn] = {
    "json": lambda st: st.ctx.json,
    "item": lambda st: current_item(st.ctx),
    "index": lambda st: st.ctx.item_index,
    "itemIndex": lambda st: st.ctx.item_index,
    "input": lambda st: InputView(st.ctx),
    "binary": lambda st: binary_meta(st.ctx.binary) or {},
    "vars": lambda st: st.ctx.vars,
    "env": lambda st: st.ctx.env,
    "now": lambda st: now_of(st.ctx),
    "today": lambda st: now_of(st.ctx).start_of("day"),
    "workflow": lambda st: st.ctx.workflow,
    "execution": lambda st: st.ctx.execution,
}
_FUNCTIONS = ("node", "if", "ifEmpty", "coalesce", "jsonata")
VARIABLES: tuple[str, ...] = (
    *(f"${n}" for n in _VARS),
    '$node("Name")',
    "$if(...)",
    "$ifEmpty(...)",
    '$jsonata("...")',
)


def _available(extra: dict[str, Any]) -> str:
    names = [*VARIABLES, *(k if k.startswith("$") else f"${k}" for k in extra)]
    return ", ".join(names)


def dollar_name(name: str) -> Fn:
    """The closure reading variable ``$name``."""
    fn = _VARS.get(name)
    if fn is not None:
        return fn
    if not name or name.startswith("_"):
        raise ExpressionRefused(f"Variable names cannot start with '_' ('${name}').")
    if name in _FUNCTIONS:
        example = '$node("Name")' if name == "node" else f"${name}(...)"
        raise ExpressionSyntaxError(f"'${name}' must be called, e.g. {example}.")

    def extra(st: State) -> Any:
        ex = st.ctx.extra
        if name in ex:
            return ex[name]
        if "$" + name in ex:
            return ex["$" + name]
        raise ExpressionError(f"Unknown variable '${name}' — available: {_available(ex)}.")

    return extra


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str | list | dict) and len(v) == 0)


def dollar_call(name: str, fns: list[Fn], kws: dict[str, Fn]) -> Fn:
    """The closure of ``$name(...)`` for the ``$`` functions."""
    if name not in _FUNCTIONS:
        raise ExpressionRefused(
            f"'${name}' is not a function; only $node(...), $if(...), "
            "$ifEmpty(...), $jsonata(...) and helpers can be called."
        )
    if kws:
        raise ExpressionSyntaxError(f"${name}(...) takes no keyword arguments.")
    n = len(fns)
    if name == "node":
        if n != 1:
            raise ExpressionSyntaxError('$node takes one node name: $node("Name").')
        arg = fns[0]

        def node(st: State) -> NodeView:
            v = arg(st)
            if not isinstance(v, str):
                raise ExpressionError('$node takes a node name as text: $node("Name").')
            return NodeView(st.ctx, v)

        return node
    if name == "jsonata":
        if n != 1:
            raise ExpressionSyntaxError(
                '$jsonata takes one JSONata expression as text: $jsonata("payload * 2").'
            )
        return _jsonata(fns[0])
    if name == "if":
        if n not in (2, 3):
            raise ExpressionSyntaxError(
                "$if takes a condition and one or two values: $if(condition, yes, no)."
            )
        test, yes = fns[0], fns[1]
        no = fns[2] if n == 3 else (lambda st: None)
        return lambda st: yes(st) if test(st) else no(st)
    if name == "ifEmpty":
        if n != 2:
            raise ExpressionSyntaxError(
                "$ifEmpty takes a value and a default: $ifEmpty(value, default)."
            )
        value, default = fns

        def if_empty(st: State) -> Any:
            v = value(st)
            return default(st) if _empty(v) else v

        return if_empty
    if n < 1:
        raise ExpressionSyntaxError("$coalesce takes at least one value.")

    def coalesce(st: State) -> Any:
        v = None
        for f in fns:
            v = f(st)
            if v is not None:
                return v
        return v

    return coalesce


def _jsonata(source: Fn) -> Fn:
    """``$jsonata("expr")``: JSONata over ``$json`` with the workflow's shared context
    (``$flowContext``, ``$globalContext``) and the allowed environment (``$env``)."""
    from engine.expressions.jsonata import evaluate_jsonata

    def run(st: State) -> Any:
        text = source(st)
        if not isinstance(text, str):
            raise ExpressionError(
                '$jsonata takes the JSONata expression as text: $jsonata("payload * 2").'
            )
        st.charge(len(text))
        extra = st.ctx.extra
        return evaluate_jsonata(
            text,
            st.ctx.json,
            flow=extra.get("flow"),
            global_=extra.get("global"),
            env=st.ctx.env,
            timeout_s=max(0.01, st.deadline - time.monotonic()),
        )

    return run


def env_lookup(st: State, name: str) -> Any:
    """``$env.NAME``; a friendly error if the variable is not allow-listed."""
    env = st.ctx.env
    if name in env:
        return env[name]
    raise ExpressionError(
        f"Environment variable '{name}' is not available to expressions. An administrator "
        "can allow it with the AURA_EXEC_ENV_ALLOW setting."
    )
