"""The operations of IF/Switch/Filter conditions, by value type, with type coercion."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from engine.sdk.regex import RegexError, compile_regex

__all__ = [
    "OPERATIONS",
    "OPERATION_CHOICES",
    "ConditionTypeError",
    "apply_operation",
    "normalise_operation",
]

OPERATIONS: dict[str, tuple[str, ...]] = {
    "string": (
        "equals",
        "not_equals",
        "contains",
        "not_contains",
        "starts_with",
        "not_starts_with",
        "ends_with",
        "not_ends_with",
        "regex",
        "not_regex",
        "is_empty",
        "is_not_empty",
        "exists",
        "not_exists",
    ),
    "number": (
        "eq",
        "ne",
        "gt",
        "gte",
        "lt",
        "lte",
        "is_empty",
        "is_not_empty",
        "exists",
        "not_exists",
    ),
    "boolean": ("is_true", "is_false", "equals", "not_equals", "exists", "not_exists"),
    "date": (
        "before",
        "after",
        "before_or_equals",
        "after_or_equals",
        "equals",
        "not_equals",
        "exists",
        "not_exists",
    ),
    "array": (
        "contains",
        "not_contains",
        "length_eq",
        "length_ne",
        "length_gt",
        "length_gte",
        "length_lt",
        "length_lte",
        "is_empty",
        "is_not_empty",
        "exists",
        "not_exists",
    ),
    "object": ("is_empty", "is_not_empty", "has_key", "not_has_key", "exists", "not_exists"),
    "any": ("exists", "not_exists", "equals", "not_equals"),
}

_LABELS: dict[str, str] = {
    "equals": "is equal to",
    "not_equals": "is not equal to",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "not_starts_with": "does not start with",
    "ends_with": "ends with",
    "not_ends_with": "does not end with",
    "regex": "matches regex",
    "not_regex": "does not match regex",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
    "exists": "exists",
    "not_exists": "does not exist",
    "eq": "is equal to",
    "ne": "is not equal to",
    "gt": "is greater than",
    "gte": "is greater than or equal to",
    "lt": "is less than",
    "lte": "is less than or equal to",
    "is_true": "is true",
    "is_false": "is false",
    "before": "is before",
    "after": "is after",
    "before_or_equals": "is before or equal to",
    "after_or_equals": "is after or equal to",
    "length_eq": "length is equal to",
    "length_ne": "length is not equal to",
    "length_gt": "length is greater than",
    "length_gte": "length is greater than or equal to",
    "length_lt": "length is less than",
    "length_lte": "length is less than or equal to",
    "has_key": "has key",
    "not_has_key": "does not have key",
}
OPERATION_CHOICES: dict[str, list[dict[str, str]]] = {
    t: [{"value": op, "label": _LABELS[op]} for op in ops] for t, ops in OPERATIONS.items()
}
"""The editor's choices of operation by value type, with readable labels."""

# n8n spellings (after camelCase -> snake_case) and other common names.
_ALIASES: dict[str, str] = {
    "empty": "is_empty",
    "not_empty": "is_not_empty",
    "true": "is_true",
    "false": "is_false",
    "length_equals": "length_eq",
    "length_not_equals": "length_ne",
    "does_not_exist": "not_exists",
    "is_equal_to": "equals",
    "is_not_equal_to": "not_equals",
    "matches": "regex",
    "not_matches": "not_regex",
}
_NUMBER_ALIASES = {
    "equals": "eq",
    "not_equals": "ne",
    "=": "eq",
    "==": "eq",
    "!=": "ne",
    ">": "gt",
    ">=": "gte",
    "<": "lt",
    "<=": "lte",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


class ConditionTypeError(ValueError):
    """A value cannot be used by an operation (wrong type in strict mode, bad regex...)."""


def normalise_operation(type_: str, op: str) -> str:
    """``notEquals`` -> ``not_equals``; number ``equals`` -> ``eq``; n8n names accepted."""
    snake = _CAMEL.sub(r"_\1", op.strip()).lower().replace(" ", "_").replace("-", "_")
    snake = _ALIASES.get(snake, snake)
    if type_ == "number":
        snake = _NUMBER_ALIASES.get(snake, snake)
    return snake


def _tname(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list | tuple):
        return "array"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, datetime | date):
        return "date"
    return type(v).__name__


def _mismatch(v: Any, expected: str, side: str) -> ConditionTypeError:
    shown = repr(v) if len(repr(v)) <= 60 else repr(v)[:57] + "..."
    hint = (
        (
            " Turn on 'Loose type validation' to convert it, or pick the operation type "
            "matching the data."
        )
        if side == "left"
        else ""
    )
    return ConditionTypeError(
        f"the {side} value {shown} is {_tname(v)} but a {expected} is expected.{hint}"
    )


def to_string(v: Any, loose: bool, side: str) -> str:
    if isinstance(v, str):
        return v
    if not loose:
        raise _mismatch(v, "string", side)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, datetime | date):
        return v.isoformat()
    return str(v)


def to_number(v: Any, loose: bool, side: str) -> float | int:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    if loose:
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, str) and v.strip():
            try:
                f = float(v.strip())
            except ValueError:
                pass
            else:
                return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f
    raise _mismatch(v, "number", side)


_TRUE = {"true", "1", "yes", "on", "y"}
_FALSE = {"false", "0", "no", "off", "n", ""}


def to_boolean(v: Any, loose: bool, side: str) -> bool:
    if isinstance(v, bool):
        return v
    if loose:
        if isinstance(v, int | float):
            if v in (0, 1):
                return bool(v)
        elif isinstance(v, str):
            low = v.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
    raise _mismatch(v, "boolean", side)


def to_date(v: Any, loose: bool, side: str) -> datetime:
    """Datetimes, dates and ISO 8601 text always; epoch seconds/ms and free text if loose.

    Naive values are taken as UTC so they compare with timezone-aware ones.
    """
    dt: datetime | None = None
    if isinstance(v, datetime):
        dt = v
    elif isinstance(v, date):
        dt = datetime.combine(v, time())
    elif isinstance(v, str) and v.strip():
        try:
            dt = datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
        except ValueError:
            if loose:
                from dateutil import parser

                try:
                    dt = parser.parse(v)
                except (ValueError, OverflowError):
                    dt = None
    elif loose and isinstance(v, int | float) and not isinstance(v, bool):
        ts = float(v) / 1000 if abs(v) > 1e11 else float(v)
        dt = datetime.fromtimestamp(ts, tz=UTC)
    if dt is None:
        raise _mismatch(v, "date (ISO 8601 text such as '2024-05-01T12:00:00Z')", side)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def to_array(v: Any, loose: bool, side: str) -> list[Any]:
    if isinstance(v, list | tuple):
        return list(v)
    if loose and isinstance(v, str) and v.strip().startswith("["):
        try:
            parsed = json.loads(v)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return parsed
    raise _mismatch(v, "array", side)


def to_object(v: Any, loose: bool, side: str) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    if loose and isinstance(v, str) and v.strip().startswith("{"):
        try:
            parsed = json.loads(v)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    raise _mismatch(v, "object", side)


def _exists(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _regex(pattern: Any, case_sensitive: bool) -> re.Pattern[str]:
    """A linear-time (RE2) regex from ``pattern``; ``/body/flags`` (JavaScript style, flags
    i m s) is accepted. Back-references and look-around are refused with a message."""
    text = to_string(pattern, True, "right")
    flags = "" if case_sensitive else "i"
    end = text.rfind("/")
    tail = text[end + 1 :]
    if text.startswith("/") and end > 0 and all("a" <= c <= "z" for c in tail):
        text = text[1:end]  # a JavaScript literal /body/flags (parsed without backtracking)
        flags += "".join(f for f in tail if f in "ims")
    try:
        return compile_regex(text, flags=flags, what="the regular expression")
    except RegexError as exc:
        raise ConditionTypeError(exc.message[0].lower() + exc.message[1:]) from None


def _fold(v: Any, case_sensitive: bool) -> Any:
    return v.casefold() if isinstance(v, str) and not case_sensitive else v


def _string(op: str, left: Any, right: Any, cs: bool, loose: bool) -> bool:
    if op in ("regex", "not_regex"):
        if left is None:
            return op == "not_regex"
        found = _regex(right, cs).search(to_string(left, loose, "left")) is not None
        return found if op == "regex" else not found
    if left is None:
        return op.startswith("not_")
    a = _fold(to_string(left, loose, "left"), cs)
    b = _fold(to_string("" if right is None else right, True, "right"), cs)
    base = op.removeprefix("not_")
    if base == "equals":
        r = a == b
    elif base == "contains":
        r = b in a
    elif base == "starts_with":
        r = a.startswith(b)
    else:
        r = a.endswith(b)
    return r if op == base else not r


def _number(op: str, left: Any, right: Any, cs: bool, loose: bool) -> bool:
    if left is None:
        return op == "ne"
    a = to_number(left, loose, "left")
    b = to_number(right, True, "right")
    return {"eq": a == b, "ne": a != b, "gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]


def _boolean(op: str, left: Any, right: Any, cs: bool, loose: bool) -> bool:
    if left is None:
        return op == "not_equals"
    a = to_boolean(left, loose, "left")
    if op == "is_true":
        return a
    if op == "is_false":
        return not a
    b = to_boolean(right, True, "right")
    return (a == b) if op == "equals" else (a != b)


def _date(op: str, left: Any, right: Any, cs: bool, loose: bool) -> bool:
    if left is None:
        return op == "not_equals"
    a = to_date(left, loose, "left")
    b = to_date(right, True, "right")
    return {
        "before": a < b,
        "after": a > b,
        "before_or_equals": a <= b,
        "after_or_equals": a >= b,
        "equals": a == b,
        "not_equals": a != b,
    }[op]


def _loose_eq(a: Any, b: Any, cs: bool, loose: bool) -> bool:
    if _fold(a, cs) == _fold(b, cs):
        return True
    if loose and not isinstance(a, dict | list) and not isinstance(b, dict | list):
        return bool(_fold(to_string(a, True, "left"), cs) == _fold(to_string(b, True, "right"), cs))
    return False


def _array(op: str, left: Any, right: Any, cs: bool, loose: bool) -> bool:
    if left is None:
        return op == "not_contains" or op == "length_ne"
    a = to_array(left, loose, "left")
    if op in ("contains", "not_contains"):
        found = any(_loose_eq(x, right, cs, loose) for x in a)
        return found if op == "contains" else not found
    n = len(a)
    m = to_number(right, True, "right")
    return {
        "length_eq": n == m,
        "length_ne": n != m,
        "length_gt": n > m,
        "length_gte": n >= m,
        "length_lt": n < m,
        "length_lte": n <= m,
    }[op]


def _object(op: str, left: Any, right: Any, cs: bool, loose: bool) -> bool:
    if left is None:
        return op == "not_has_key"
    a = to_object(left, loose, "left")
    key = to_string(right, True, "right")
    found = any(_fold(k, cs) == _fold(key, cs) for k in a)
    return found if op == "has_key" else not found


def _any(op: str, left: Any, right: Any, cs: bool, loose: bool) -> bool:
    r = _loose_eq(left, right, cs, loose)
    return r if op == "equals" else not r


_BY_TYPE: dict[str, Callable[[str, Any, Any, bool, bool], bool]] = {
    "string": _string,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "array": _array,
    "object": _object,
    "any": _any,
}
_CHECK: dict[str, Callable[[Any, bool, str], Any]] = {
    "string": to_string,
    "number": to_number,
    "boolean": to_boolean,
    "date": to_date,
    "array": to_array,
    "object": to_object,
}


def apply_operation(
    type_: str, op: str, left: Any, right: Any, *, case_sensitive: bool, loose: bool
) -> bool:
    """Evaluates one operation; raises :class:`ConditionTypeError` on unusable values."""
    if op == "exists":
        return _exists(left)
    if op == "not_exists":
        return not _exists(left)
    if op in ("is_empty", "is_not_empty"):
        empty = True
        if _exists(left):
            # a type mismatch is an error (strict) rather than a silent "not empty"
            value = _CHECK[type_](left, loose, "left") if type_ in _CHECK else left
            empty = isinstance(value, str | list | dict) and len(value) == 0
        return empty if op == "is_empty" else not empty
    return _BY_TYPE[type_](op, left, right, case_sensitive, loose)
