"""What values look like inside and outside an expression.

Inside: JSON values (None, bool, int, float, str, list, dict), :class:`DateTime` and the
read-only views. :func:`kind` names a value's type for dispatch and messages.
Outside: :func:`to_plain` turns a result into plain JSON (copying containers, DateTime to
ISO text, bounded in depth and size); :func:`to_text` is the string form used when an
expression is interpolated into text.
"""

from __future__ import annotations

import json
import math
from typing import Any

from engine.expressions._datetime import DateTime
from engine.expressions._errors import ExpressionLimitError
from engine.expressions._limits import Limits
from engine.expressions._views import InputView, NodeView

__all__ = ["KINDS", "describe", "kind", "to_json_text", "to_plain", "to_text"]

KINDS: dict[type, str] = {
    type(None): "null", bool: "boolean", int: "number", float: "number", str: "text",
    list: "list", tuple: "list", dict: "object", DateTime: "date", InputView: "input",
    NodeView: "node",
}
_NAMES = {"null": "null", "boolean": "a boolean", "number": "a number", "text": "text",
          "list": "a list", "object": "an object", "date": "a date", "input": "$input",
          "node": "a $node(...) view", "unknown": "an unsupported value"}


def kind(v: Any) -> str:
    """``null``, ``boolean``, ``number``, ``text``, ``list``, ``object``, ``date``,
    ``input``, ``node`` or ``unknown`` (values a caller put in the data that are not JSON)."""
    k = KINDS.get(type(v))
    if k is not None:
        return k
    for t in (bool, int, float, str, dict, list, tuple):
        if isinstance(v, t):
            return KINDS[t]
    return "unknown"


def describe(v: Any) -> str:
    """``'a number'``, ``'text'``, ``'null'`` ... for error messages."""
    return _NAMES[kind(v)]


def _float_text(v: float) -> str:
    if v != v:
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return repr(v)


def to_text(v: Any, limits: Limits) -> str:
    """The text of ``v`` in an interpolated template: null is empty, booleans are
    ``true``/``false``, whole floats drop ``.0``, containers are compact JSON."""
    t = type(v)
    if t is str:
        return v  # type: ignore[no-any-return]
    if v is None:
        return ""
    if t is bool:
        return "true" if v else "false"
    if t is int:
        try:
            return str(v)
        except ValueError:
            raise ExpressionLimitError("The number is too large to show as text.") from None
    if t is float:
        return _float_text(v)
    if t is DateTime:
        return v.iso()  # type: ignore[no-any-return]
    k = kind(v)
    if k in ("text", "number", "boolean"):
        return to_text(str(v) if k == "text" else (float(v) if k == "number" else bool(v)),
                       limits)
    return to_json_text(v, limits)


def to_json_text(v: Any, limits: Limits, indent: int | None = None) -> str:
    """Compact (or indented) JSON of ``v``, refusing output over ``limits.max_size``."""
    plain = to_plain(v, limits, limits.max_size)
    try:
        if indent is None:
            return json.dumps(plain, separators=(",", ":"), ensure_ascii=False)
        return json.dumps(plain, indent=indent, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ExpressionLimitError(f"Cannot convert the value to JSON: {exc}") from None


def to_plain(v: Any, limits: Limits, max_chars: int | None = None) -> Any:
    """A plain JSON copy of ``v``: DateTime to ISO, views to their items, tuples to lists.

    Values of unknown types (put into the data by the caller) pass through unchanged.
    Raises :class:`ExpressionLimitError` if nested deeper than ``limits.max_result_depth``
    or if the JSON would be longer than ``max_chars`` (default ``limits.max_output``).
    """
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None:
        return v
    budget = [limits.max_output if max_chars is None else max_chars]
    return _plain(v, limits.max_result_depth, budget)


def _plain(v: Any, depth: int, budget: list[int]) -> Any:
    t = type(v)
    if t is str:
        budget[0] -= len(v) + 2
    elif t is dict or t is list or t is tuple or isinstance(v, dict | list | tuple):
        if depth <= 0:
            raise ExpressionLimitError("The value is nested too deeply to leave the "
                                       "expression (more than the depth limit).")
        budget[0] -= len(v) + 2
        if budget[0] < 0:
            raise ExpressionLimitError("The value is too large to leave the expression.")
        if isinstance(v, dict):
            out: dict[Any, Any] = {}
            for key, val in v.items():
                if type(key) is str:
                    budget[0] -= len(key) + 3
                out[key] = _plain(val, depth - 1, budget)
            return out
        return [_plain(x, depth - 1, budget) for x in v]
    elif t is DateTime:
        budget[0] -= 34
        return v.iso()
    elif t is InputView or t is NodeView:
        return _plain(v.to_json(), depth, budget)
    else:
        budget[0] -= 8
    if budget[0] < 0:
        raise ExpressionLimitError("The value is too large to leave the expression.")
    return v
