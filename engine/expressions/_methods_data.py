"""Methods and properties of lists, objects, dates and the ``$input``/``$node`` views.

None of them mutates its value: ``sort()``/``reverse()`` return new lists.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.errors import ExpressionError
from engine.expressions._datetime import PARTS, DateTime
from engine.expressions._registry import (
    CANONICAL,
    DOCS,
    METHODS,
    PROPERTIES,
    Doc,
    arg_int,
    arg_text,
    charge_len,
    method,
)
from engine.expressions._values import describe, kind, to_text
from engine.expressions._views import VIEW_METHODS, VIEW_PROPERTIES

if TYPE_CHECKING:
    from engine.expressions._limits import State

__all__ = ["get_path", "sort_key", "unique_key"]


def get_path(v: Any, path: Any) -> Any:
    """``v`` followed along a dotted ``path`` (``'a.b.0.c'``) or a list of keys; null
    where anything is missing."""
    parts = path if isinstance(path, list) else arg_text(path, "The path").split(".")
    cur = v
    for p in parts:
        if isinstance(cur, dict):
            cur = cur.get(p if isinstance(p, str) else str(p))
        elif isinstance(cur, list | str):
            try:
                i = int(p)
            except (TypeError, ValueError):
                return None
            cur = cur[i] if -len(cur) <= i < len(cur) else None
        else:
            return None
        if cur is None:
            return None
    return cur


def unique_key(v: Any) -> Any:
    """A hashable key equal for equal JSON values (keeps 1 and true apart)."""
    k = kind(v)
    if k in ("list", "object"):
        return (k, json.dumps(v, sort_keys=True, default=str))
    return (k, v)


def sort_key(key: Any) -> Any:
    def by(v: Any) -> Any:
        x = v if key is None else get_path(v, key)
        return (x is None, x if x is not None else 0)
    return by


# -- lists -------------------------------------------------------------------------
@method("list", "join", sig="join(separator=',')",
        doc="The elements as text joined by `separator` (null becomes empty text).")
def _join(st: State, v: list[Any], separator: Any = ",") -> str:
    sep = arg_text(separator, "The separator")
    charge_len(st, v)
    parts = [to_text(x, st.limits) for x in v]
    st.sized(sum(map(len, parts)) + len(sep) * max(0, len(parts) - 1), "The joined text")
    return sep.join(parts)


@method("list", "first", sig="first()", doc="The first element, or null.")
def _first(st: State, v: list[Any]) -> Any:
    return v[0] if v else None


@method("list", "last", sig="last()", doc="The last element, or null.")
def _last(st: State, v: list[Any]) -> Any:
    return v[-1] if v else None


@method("list", "concat", sig="concat(other, ...)", doc="A new list with the others appended.")
def _concat(st: State, v: list[Any], *others: Any) -> list[Any]:
    out = list(v)
    for o in others:
        if not isinstance(o, list):
            raise ExpressionError(f"concat() takes lists; got {describe(o)}.")
        st.sized(len(out) + len(o), "The list")
        out.extend(o)
    return out


@method("list", "reversed", "reverse", sig="reversed()", doc="A new list in reverse order.")
def _reversed(st: State, v: list[Any]) -> list[Any]:
    return v[::-1]


@method("list", "sorted", "sort", sig="sorted(key=null, reverse=false)",
        doc="A new sorted list; `key` is a field path for lists of objects. Nulls go last.")
def _sorted(st: State, v: list[Any], key: Any = None, reverse: Any = False) -> list[Any]:
    charge_len(st, v)
    if key is not None and not isinstance(key, str | list):
        raise ExpressionError("sorted() key is a field path such as 'price' or 'user.name'.")
    try:
        return sorted(v, key=sort_key(key), reverse=bool(reverse))
    except TypeError:
        raise ExpressionError("Cannot sort values of different types (or objects without "
                              "a key): use sorted(list, 'field').") from None


@method("list", "unique", sig="unique(key=null)",
        doc="The list without duplicates (first kept); `key` compares by a field path.")
def _unique(st: State, v: list[Any], key: Any = None) -> list[Any]:
    charge_len(st, v)
    seen: set[Any] = set()
    out = []
    for x in v:
        k = unique_key(x if key is None else get_path(x, key))
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


@method("list", "flatten", sig="flatten(depth=1)", doc="Lists inside the list spliced in.")
def _flatten(st: State, v: list[Any], depth: Any = 1) -> list[Any]:
    depth = arg_int(depth, "flatten() depth", low=0, high=100)
    out: list[Any] = []
    for x in v:
        if isinstance(x, list) and depth > 0:
            out.extend(_flatten(st, x, depth - 1))
        else:
            out.append(x)
        st.charge(1)
    st.sized(len(out), "The flattened list")
    return out


@method("list", "compact", sig="compact()", doc="The list without null elements.")
def _compact(st: State, v: list[Any]) -> list[Any]:
    charge_len(st, v)
    return [x for x in v if x is not None]


@method("list", "chunk", sig="chunk(size)", doc="The list cut into lists of `size` elements.")
def _chunk(st: State, v: list[Any], size: Any) -> list[Any]:
    n = arg_int(size, "chunk() size", low=1)
    charge_len(st, v)
    return [v[i:i + n] for i in range(0, len(v), n)]


@method("list", "pluck", sig="pluck(path)",
        doc="The value at field `path` of every element: [{'a': 1}, {'a': 2}] -> [1, 2].")
def _pluck(st: State, v: list[Any], path: Any) -> list[Any]:
    charge_len(st, v)
    return [get_path(x, path) for x in v]


def _numbers(st: State, v: list[Any], what: str) -> list[Any]:
    charge_len(st, v)
    for x in v:
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise ExpressionError(f"{what}() needs a list of numbers; it contains "
                                  f"{describe(x)}.")
    return v


@method("list", "sum", sig="sum()", doc="The total of a list of numbers.")
def _sum(st: State, v: list[Any]) -> Any:
    return sum(_numbers(st, v, "sum"))


@method("list", "avg", "average", "mean", sig="avg()",
        doc="The average of a list of numbers, or null if empty.")
def _avg(st: State, v: list[Any]) -> Any:
    return sum(_numbers(st, v, "avg")) / len(v) if v else None


def min_max(st: State, v: list[Any], pick: Any) -> Any:
    charge_len(st, v)
    if not v:
        return None
    try:
        return pick(x for x in v if x is not None) if any(x is not None for x in v) else None
    except TypeError:
        raise ExpressionError("min()/max() need values of one type (numbers, text or "
                              "dates).") from None


@method("list", "min", sig="min()", doc="The smallest element (nulls ignored).")
def _min(st: State, v: list[Any]) -> Any:
    return min_max(st, v, min)


@method("list", "max", sig="max()", doc="The largest element (nulls ignored).")
def _max(st: State, v: list[Any]) -> Any:
    return min_max(st, v, max)


@method("list", "count", sig="count(value)", doc="How often `value` occurs in the list.")
def _list_count(st: State, v: list[Any], value: Any) -> int:
    charge_len(st, v)
    return sum(1 for e in v if e == value)


# -- objects -----------------------------------------------------------------------
@method("object", "keys", sig="keys()", doc="The object's keys as a list.")
def _keys(st: State, v: dict[str, Any]) -> list[Any]:
    return list(v)


@method("object", "values", sig="values()", doc="The object's values as a list.")
def _values(st: State, v: dict[str, Any]) -> list[Any]:
    return list(v.values())


@method("object", "items", "entries", sig="items()", doc="A list of [key, value] pairs.")
def _items(st: State, v: dict[str, Any]) -> list[Any]:
    charge_len(st, v)
    return [[k, x] for k, x in v.items()]


@method("object", "get", sig="get(path, default=null)",
        doc="The value at `path` ('a.b.0'), or `default` when missing or null.")
def _get(st: State, v: dict[str, Any], path: Any, default: Any = None) -> Any:
    r = get_path(v, path)
    return default if r is None else r


@method("object", "has", "hasOwnProperty", "has_key", sig="has(key)",
        doc="True if the object has the key.")
def _has(st: State, v: dict[str, Any], key: Any) -> bool:
    return key in v if isinstance(key, str) else False


@method("object", "merge", sig="merge(other, ...)",
        doc="A new object with the others' keys added (later ones win).")
def _merge(st: State, v: dict[str, Any], *others: Any) -> dict[str, Any]:
    out = dict(v)
    for o in others:
        if not isinstance(o, dict):
            raise ExpressionError(f"merge() takes objects; got {describe(o)}.")
        st.sized(len(out) + len(o), "The object")
        out.update(o)
    return out


def _key_list(keys: tuple[Any, ...]) -> list[Any]:
    return list(keys[0]) if len(keys) == 1 and isinstance(keys[0], list) else list(keys)


@method("object", "pick", sig="pick(key, ...)", doc="A new object with only these keys.")
def _pick(st: State, v: dict[str, Any], *keys: Any) -> dict[str, Any]:
    return {k: v[k] for k in _key_list(keys) if isinstance(k, str) and k in v}


@method("object", "omit", sig="omit(key, ...)", doc="A new object without these keys.")
def _omit(st: State, v: dict[str, Any], *keys: Any) -> dict[str, Any]:
    drop = {k for k in _key_list(keys) if isinstance(k, str)}
    return {k: x for k, x in v.items() if k not in drop}


# -- dates -------------------------------------------------------------------------
def _date_method(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(st: State, v: DateTime, *args: Any) -> Any:
        return fn(v, *args)
    return call


def _date_part(name: str) -> Callable[[State, DateTime], Any]:
    def part(st: State, v: DateTime) -> Any:
        return v.part(name)
    return part


def _date_methods() -> None:
    table: list[tuple[tuple[str, ...], str, str, Any]] = [
        (("format", "toFormat", "strftime"), "format(pattern)",
         "Text in a strftime pattern, e.g. '%Y-%m-%d %H:%M'.", DateTime.format),
        (("iso", "to_iso", "toISO", "toISOString", "isoformat"), "iso()",
         "ISO 8601 text.", DateTime.iso),
        (("plus", "add"), "plus(amount, unit='days')",
         "Moved forward; units: years, quarters, months, weeks, days, hours, minutes, "
         "seconds, milliseconds.", DateTime.plus),
        (("minus", "subtract"), "minus(amount, unit='days')", "Moved back.", DateTime.minus),
        (("start_of", "startOf"), "start_of(unit)", "Start of the year/month/week/day/...",
         DateTime.start_of),
        (("end_of", "endOf"), "end_of(unit)", "Last millisecond of the year/month/day/...",
         DateTime.end_of),
        (("to_timezone", "setZone", "astimezone"), "to_timezone(zone)",
         "The same instant in another timezone.", DateTime.to_timezone),
        (("diff",), "diff(other, unit='seconds')",
         "This date minus `other` in `unit` (whole months/years).", DateTime.diff),
    ]
    for names, sig, doc, fn in table:
        method("date", *names, sig=sig, doc=doc)(_date_method(fn))
    method("date", "to_millis", "toMillis", "valueOf", sig="to_millis()",
           doc="Milliseconds since 1970.")(lambda st, v: int(v.part("timestamp") * 1000))
    for name in PARTS:
        PROPERTIES["date"][name] = _date_part(name)
    PROPERTIES["date"]["weekdayName"] = PROPERTIES["date"]["weekday_name"]
    PROPERTIES["date"]["monthName"] = PROPERTIES["date"]["month_name"]
    part_doc = " ".join((DateTime.part.__doc__ or "").split()).split("field: ", 1)[-1]
    DOCS.append(Doc(("date",), PARTS, "year, month, ...", part_doc, is_property=True))


_date_methods()

# -- views -------------------------------------------------------------------------
for _k in ("input", "node"):
    METHODS[_k].update(VIEW_METHODS[_k])
    CANONICAL[_k].extend(VIEW_METHODS[_k])
    PROPERTIES[_k].update(VIEW_PROPERTIES[_k])
DOCS.append(Doc(("input",), ("json", "item", "items", "length"), "$input.json",
                "The current item's json / the current item / all input items / their "
                "number.", is_property=True))
DOCS.append(Doc(("input",), ("all", "first", "last"), "$input.all()",
                "All input items ({json, binary}), the first or the last one."))
DOCS.append(Doc(("node",), ("json", "item", "binary", "items", "is_executed", "name"),
                "$node('Name').json", "The matching (paired) item's json / item / binary "
                "metadata; all output items; whether the node ran; its name.",
                is_property=True))
DOCS.append(Doc(("node",), ("all", "first", "last", "paired_item", "item_at"),
                "$node('Name').all(port='main')", "All output items of a port, the first, "
                "the last, the paired item, or the item at an index."))
