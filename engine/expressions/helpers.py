"""The helper functions expressions may call, each with a description.

``HELPERS`` maps a name to a :class:`Helper`; the compiler checks arguments against
``Helper.params`` at compile time and calls ``Helper.fn(state, *args)``. The reference in
``docs/expressions.md`` is generated from this registry (``_reference.py``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import inspect
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from engine.errors import ExpressionError
from engine.expressions import _methods_data as data
from engine.expressions import _methods_text as text
from engine.expressions._datetime import DateTime, get_zone, parse_date
from engine.expressions._registry import DOCS, METHODS, arg_int, arg_text
from engine.expressions._values import describe, kind, to_json_text, to_text

if TYPE_CHECKING:
    from engine.expressions import ExpressionContext
    from engine.expressions._limits import State

__all__ = ["HELPERS", "Helper", "now_of"]


@dataclass(frozen=True, slots=True)
class Helper:
    """A function callable from expressions: ``signature`` and ``description`` document it."""

    name: str
    fn: Callable[..., Any]
    signature: str
    description: str
    category: str
    params: inspect.Signature


HELPERS: dict[str, Helper] = {}
F = TypeVar("F", bound=Callable[..., Any])


def _sig_of(fn: Callable[..., Any]) -> inspect.Signature:
    sig = inspect.signature(fn)
    return sig.replace(parameters=list(sig.parameters.values())[1:])


def _param_text(p: inspect.Parameter) -> str:
    if p.kind is p.VAR_POSITIONAL:
        return f"*{p.name}"
    if p.kind is p.VAR_KEYWORD:
        return f"**{p.name}"
    if p.default is p.empty:
        return p.name
    d = p.default
    shown = "null" if d is None else ("true" if d is True else "false" if d is False else repr(d))
    return f"{p.name}={shown}"


def helper(category: str, doc: str, *names: str) -> Callable[[F], F]:
    """Registers ``fn(state, ...)`` as helper ``names`` (default: the function name)."""

    def deco(fn: F) -> F:
        params = _sig_of(fn)
        args = ", ".join(_param_text(p) for p in params.parameters.values())
        for n in names or (fn.__name__.strip("_"),):
            HELPERS[n] = Helper(n, fn, f"{n}({args})", doc, category, params)
        return fn

    return deco


def _via(category: str, kinds: str, method_name: str, *names: str, doc: str = "") -> None:
    """A helper ``name(value, ...)`` that runs ``value.method_name(...)`` for ``kinds``."""
    allowed = kinds.split()
    first = METHODS[allowed[0]][method_name]

    def fn(st: State, value: Any, *args: Any, **kwargs: Any) -> Any:
        k = kind(value)
        if k not in allowed:
            raise ExpressionError(
                f"{names[0]}() needs {' or '.join(allowed)}; got {describe(value)}."
            )
        return METHODS[k][method_name](st, value, *args, **kwargs)

    params = inspect.signature(first)
    ps = list(params.parameters.values())
    if len(ps) > 1:  # name the value after its kind: contains(text, value), join(list, ...)
        taken = {p.name for p in ps[2:]}
        first_name = next(
            n
            for n in (allowed[0] if len(allowed) == 1 else "value", "value", "source")
            if n not in taken
        )
        ps[0] = ps[0].replace(kind=inspect.Parameter.POSITIONAL_ONLY)
        ps[1] = ps[1].replace(name=first_name, kind=inspect.Parameter.POSITIONAL_ONLY)
    fn.__signature__ = params.replace(parameters=ps)  # type: ignore[attr-defined]
    description = doc or next(
        (d.description for d in DOCS if method_name in d.names and allowed[0] in d.kinds), ""
    )
    helper(category, description, *names)(fn)


for _names, _kinds, _m in [
    (("upper",), "text", "upper"),
    (("lower",), "text", "lower"),
    (("title",), "text", "title"),
    (("capitalize",), "text", "capitalize"),
    (("strip", "trim"), "text", "strip"),
    (("lstrip",), "text", "lstrip"),
    (("rstrip",), "text", "rstrip"),
    (("replace",), "text", "replace"),
    (("split",), "text", "split"),
    (("contains",), "text list", "contains"),
    (("starts_with",), "text", "starts_with"),
    (("ends_with",), "text", "ends_with"),
    (("slice",), "text list", "slice"),
    (("pad_start",), "text", "pad_start"),
    (("pad_end",), "text", "pad_end"),
    (("repeat",), "text", "repeat"),
    (("url_encode",), "text", "url_encode"),
    (("url_decode",), "text", "url_decode"),
    (("index_of",), "text list", "index_of"),
]:
    _via("text", _kinds, _m, *_names)
for _name in ("regex_test", "regex_match", "regex_find_all", "regex_split", "regex_replace"):
    _via("text", "text", _name, _name)
for _names, _m in [
    (("join",), "join"),
    (("sorted", "sort"), "sorted"),
    (("reversed", "reverse"), "reversed"),
    (("unique",), "unique"),
    (("first",), "first"),
    (("last",), "last"),
    (("flatten",), "flatten"),
    (("chunk",), "chunk"),
    (("pluck",), "pluck"),
    (("avg", "average"), "avg"),
    (("compact",), "compact"),
    (("concat",), "concat"),
]:
    _via("list", "list", _m, *_names)
for _names, _m in [
    (("keys",), "keys"),
    (("values",), "values"),
    (("items",), "items"),
    (("get",), "get"),
    (("pick",), "pick"),
    (("omit",), "omit"),
]:
    _via("object", "object", _m, *_names)
_via("number", "number", "to_fixed", "to_fixed")


@helper("text", "Pads text to `width` characters on the 'left' or 'right' side.")
def _pad(st: State, value: Any, width: Any, fill: Any = " ", side: Any = "left") -> str:
    if side not in ("left", "right", "start", "end"):
        raise ExpressionError("pad() side is 'left' or 'right'.")
    s = to_text(value, st.limits)
    name = "pad_start" if side in ("left", "start") else "pad_end"
    return METHODS["text"][name](st, s, width, fill)  # type: ignore[no-any-return]


@helper("text", "Shortens text to at most `length` characters, ending with `suffix`.")
def _truncate(st: State, value: Any, length: Any, suffix: Any = "…") -> str:
    s = arg_text(value, "truncate() text")
    n = arg_int(length, "truncate() length", low=0)
    suffix = arg_text(suffix, "truncate() suffix")
    return s if len(s) <= n else s[: max(0, n - len(suffix))] + suffix[:n]


# -- numbers and conversion ----------------------------------------------------------
@helper("number", "Rounds half away from zero: round(2.5) is 3, round(1.005, 2) is 1.01.")
def _round(st: State, value: Any, decimals: Any = 0) -> Any:
    return text.round_half_up(value, decimals)


def _num(value: Any, name: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ExpressionError(f"{name}() needs a number; got {describe(value)}.")
    return value


@helper(
    "number",
    "A random number from 0 (included) to 1 (excluded), as JavaScript's "
    "Math.random(); not for secrets (use uuid()).",
)
def _random(st: State) -> float:
    return random.random()


@helper("number", "Rounds down to a whole number.")
def _floor(st: State, value: Any) -> Any:
    return METHODS["number"]["floor"](st, _num(value, "floor"))


@helper("number", "Rounds up to a whole number.")
def _ceil(st: State, value: Any) -> Any:
    return METHODS["number"]["ceil"](st, _num(value, "ceil"))


@helper("number", "The absolute value.")
def _abs(st: State, value: Any) -> Any:
    return abs(_num(value, "abs"))


def _values_of(st: State, values: tuple[Any, ...]) -> list[Any]:
    return list(values[0]) if len(values) == 1 and isinstance(values[0], list) else list(values)


@helper("number", "The smallest of the arguments, or of one list (nulls ignored).")
def _min(st: State, *values: Any) -> Any:
    return data.min_max(st, _values_of(st, values), min)


@helper("number", "The largest of the arguments, or of one list (nulls ignored).")
def _max(st: State, *values: Any) -> Any:
    return data.min_max(st, _values_of(st, values), max)


@helper("number", "The total of a list of numbers.")
def _sum(st: State, values: Any) -> Any:
    if not isinstance(values, list):
        raise ExpressionError(f"sum() needs a list of numbers; got {describe(values)}.")
    return METHODS["list"]["sum"](st, values)


@helper("number", "Number of characters of text, elements of a list or keys of an object.")
def _len(st: State, value: Any) -> int:
    if not isinstance(value, str | list | dict):
        raise ExpressionError(f"len() needs text, a list or an object; got {describe(value)}.")
    return len(value)


@helper("number", "A number from text ('12', '3.5', '1e3') or a number.", "number", "to_number")
def _number(st: State, value: Any) -> Any:
    return text.to_number(value)


@helper("number", "A whole number from text or a number (decimals cut off).")
def _int(st: State, value: Any) -> int:
    return METHODS["number"]["to_int"](st, text.to_number(value))  # type: ignore[no-any-return]


@helper("number", "A decimal number from text or a number.")
def _float(st: State, value: Any) -> float:
    return float(text.to_number(value))


@helper("number", "A number as text with `decimals` places and a thousands separator.")
def _format_number(
    st: State, value: Any, decimals: Any = 2, thousands: Any = ",", point: Any = "."
) -> str:
    d = arg_int(decimals, "format_number() decimals", low=0, high=20)
    t, p = arg_text(thousands, "thousands"), arg_text(point, "point")
    s = f"{text.round_half_up(_num(value, 'format_number'), d):,.{d}f}"
    return s.replace(",", "\0").replace(".", p).replace("\0", t)


@helper(
    "text", "The value as text: null is empty, lists/objects are JSON, dates ISO.", "str", "string"
)
def _str(st: State, value: Any) -> str:
    return to_text(value, st.limits)


@helper(
    "type",
    "True/false from a value: 'true', 'yes', '1', 'on' are true; 'false', "
    "'no', '0', 'off' and '' are false; other values by emptiness.",
)
def _bool(st: State, value: Any) -> bool:
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "yes", "y", "1", "on"):
            return True
        if low in ("false", "no", "n", "0", "off", ""):
            return False
    return bool(value)


# -- lists -------------------------------------------------------------------------
@helper("list", "A list of whole numbers from `start` up to (not including) `stop`.")
def _range(st: State, start: Any, stop: Any = None, step: Any = 1) -> list[int]:
    a = arg_int(start, "range() start")
    if stop is None:
        a, b = 0, a
    else:
        b = arg_int(stop, "range() stop")
    s = arg_int(step, "range() step")
    if s == 0:
        raise ExpressionError("range() step cannot be zero.")
    r = range(a, b, s)
    st.sized(len(r), "The range")
    st.charge(len(r))
    return list(r)


@helper("list", "True if any element is truthy.")
def _any(st: State, values: Any) -> bool:
    if not isinstance(values, list):
        raise ExpressionError("any() needs a list.")
    return any(values)


@helper("list", "True if every element is truthy.")
def _all(st: State, values: Any) -> bool:
    if not isinstance(values, list):
        raise ExpressionError("all() needs a list.")
    return all(values)


@helper("object", "A new object combining the given objects (later keys win).")
def _merge(st: State, *objects: Any) -> dict[str, Any]:
    if not objects:
        return {}
    if not isinstance(objects[0], dict):
        raise ExpressionError(f"merge() takes objects; got {describe(objects[0])}.")
    return METHODS["object"]["merge"](st, objects[0], *objects[1:])  # type: ignore[no-any-return]


# -- JSON, encoding ----------------------------------------------------------------
@helper("json", "The value as JSON text (compact, or indented by `indent` spaces).")
def _to_json(st: State, value: Any, indent: Any = None) -> str:
    ind = None if indent is None else arg_int(indent, "to_json() indent", low=0, high=8)
    return to_json_text(value, st.limits, ind)


@helper("json", "The value in a JSON text.", "from_json", "parse_json")
def _from_json(st: State, value: Any) -> Any:
    s = arg_text(value, "from_json() text")
    st.sized(len(s), "The JSON text")
    try:
        return json.loads(s)
    except (ValueError, RecursionError) as exc:
        raise ExpressionError(f"The text is not valid JSON: {str(exc)[:120]}") from None


@helper("text", "Base64 of the text's UTF-8 bytes.")
def _base64_encode(st: State, value: Any) -> str:
    s = arg_text(value, "base64_encode() text")
    st.sized(len(s) * 2, "The encoded text")
    return base64.b64encode(s.encode()).decode("ascii")


@helper("text", "The text in base64 (UTF-8; invalid bytes become '\ufffd').")
def _base64_decode(st: State, value: Any) -> str:
    s = arg_text(value, "base64_decode() text")
    try:
        return base64.b64decode(s.encode("ascii"), validate=False).decode("utf-8", "replace")
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ExpressionError("The text is not valid base64.") from None


@helper("text", "Hex digest of the text: algorithm 'md5', 'sha1', 'sha256' or 'sha512'.")
def _hash(st: State, value: Any, algorithm: Any = "sha256") -> str:
    s = arg_text(value, "hash() text")
    if algorithm not in ("md5", "sha1", "sha256", "sha512"):
        raise ExpressionError("hash() algorithm is 'md5', 'sha1', 'sha256' or 'sha512'.")
    return hashlib.new(algorithm, s.encode(), usedforsecurity=False).hexdigest()


@helper("text", "A random UUID (version 4) as text.", "uuid", "uuid4")
def _uuid(st: State) -> str:
    return str(uuid.uuid4())


# -- dates -------------------------------------------------------------------------
def now_of(ctx: ExpressionContext, zone: str | None = None) -> DateTime:
    """The execution's "now" as a DateTime in ``zone`` (default: the workflow's)."""
    tz = get_zone(zone or ctx.timezone or "UTC")
    now = ctx.now if ctx.now is not None else datetime.now(tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return DateTime(now.astimezone(tz))


@helper(
    "date",
    "A date from ISO text, text in a strptime `pattern`, seconds since 1970, "
    "or a date. Times without an offset are in the workflow's timezone.",
)
def _date(st: State, value: Any, pattern: Any = None) -> DateTime:
    return parse_date(value, get_zone(st.ctx.timezone or "UTC"), pattern)


@helper("date", "The current date and time (in `zone`, default the workflow's timezone).")
def _now(st: State, zone: Any = None) -> DateTime:
    return now_of(st.ctx, None if zone is None else arg_text(zone, "now() zone"))


@helper("date", "Midnight today (in `zone`, default the workflow's timezone).")
def _today(st: State, zone: Any = None) -> DateTime:
    return _now(st, zone).start_of("day")


# -- types -------------------------------------------------------------------------
_TYPE_NAMES = {"text": "string"}


@helper("type", "The type: 'null', 'boolean', 'number', 'string', 'list', 'object' or 'date'.")
def _typeof(st: State, value: Any) -> str:
    k = kind(value)
    return _TYPE_NAMES.get(k, k)


@helper("type", "True for null, empty text and empty lists or objects.")
def _is_empty(st: State, value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def _is_kind(k: str) -> Callable[..., bool]:
    def check(st: State, value: Any) -> bool:
        return kind(value) == k

    return check


for _n, _k in [
    ("is_number", "number"),
    ("is_string", "text"),
    ("is_text", "text"),
    ("is_list", "list"),
    ("is_object", "object"),
    ("is_bool", "boolean"),
    ("is_null", "null"),
    ("is_date", "date"),
]:
    _what = _TYPE_NAMES.get(_k, _k)
    helper("type", f"True if the value is {'an' if _what[0] in 'aeiou' else 'a'} {_what}.", _n)(
        _is_kind(_k)
    )
