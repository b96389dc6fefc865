"""Methods and properties of text, numbers and booleans (Python and JavaScript names).

Text has no ``format`` method: Python's ``str.format`` can reach attributes of its
arguments, so it is deliberately absent.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from engine.errors import ExpressionError
from engine.expressions import _regex
from engine.expressions._datetime import parse_date
from engine.expressions._registry import arg_int, arg_text, method, prop
from engine.expressions._values import describe, to_json_text, to_text

if TYPE_CHECKING:
    from engine.expressions._datetime import DateTime
    from engine.expressions._limits import State

__all__ = ["round_half_up", "to_number"]

_INT_RE = re.compile(r"[+-]?\d[\d_]*")


# -- common to every kind ------------------------------------------------------------
@method("text number boolean list object date null", "to_string", "toString",
        sig="to_string()", doc="The value as text (null is empty, lists/objects are JSON).")
def _to_string(st: State, v: Any) -> str:
    return to_text(v, st.limits)


@method("text number boolean list object date null", "to_json", "toJSON", "toJsonString",
        sig="to_json()", doc="The value as JSON text.")
def _to_json(st: State, v: Any) -> str:
    return to_json_text(v, st.limits)


@method("text list object null", "is_empty", "isEmpty",
        sig="is_empty()", doc="True for null, empty text, an empty list or object.")
def _is_empty(st: State, v: Any) -> bool:
    return v is None or len(v) == 0


@method("text list object", "is_not_empty", "isNotEmpty", sig="is_not_empty()",
        doc="The opposite of is_empty().")
def _is_not_empty(st: State, v: Any) -> bool:
    return len(v) != 0


@prop("text list", "length", doc="Number of characters (text) or elements (list).")
def _length(st: State, v: Any) -> int:
    return len(v)


# -- text --------------------------------------------------------------------------
def _register_simple() -> None:
    simple = {
        ("upper", "toUpperCase"): (str.upper, "Upper-case text."),
        ("lower", "toLowerCase"): (str.lower, "Lower-case text."),
        ("title",): (str.title, "Title Case Text."),
        ("capitalize",): (str.capitalize, "First letter upper-case, the rest lower-case."),
        ("swapcase",): (str.swapcase, "Swaps upper and lower case."),
    }
    for names, (fn, doc) in simple.items():
        method("text", *names, sig=f"{names[0]}()", doc=doc)(_unary(fn))


def _unary(fn: Callable[[str], str]) -> Callable[[State, str], str]:
    def call(st: State, v: str) -> str:
        return fn(v)
    return call


_register_simple()


def _strip_chars(chars: Any) -> str | None:
    return None if chars is None else arg_text(chars, "The characters to strip")


@method("text", "strip", "trim", sig="strip(chars=null)",
        doc="Removes whitespace (or the given characters) at both ends.")
def _strip(st: State, v: str, chars: Any = None) -> str:
    return v.strip(_strip_chars(chars))


@method("text", "lstrip", "trimStart", "trimLeft", sig="lstrip(chars=null)",
        doc="Removes whitespace (or the given characters) at the start.")
def _lstrip(st: State, v: str, chars: Any = None) -> str:
    return v.lstrip(_strip_chars(chars))


@method("text", "rstrip", "trimEnd", "trimRight", sig="rstrip(chars=null)",
        doc="Removes whitespace (or the given characters) at the end.")
def _rstrip(st: State, v: str, chars: Any = None) -> str:
    return v.rstrip(_strip_chars(chars))


@method("text", "replace", "replaceAll", sig="replace(old, new, count=-1)",
        doc="Replaces every occurrence of `old` (or the first `count`).")
def _replace(st: State, v: str, old: Any, new: Any, count: Any = -1) -> str:
    old, new = arg_text(old, "replace() 'old'"), arg_text(new, "replace() 'new'")
    count = arg_int(count, "replace() count")
    hits = (v.count(old) if old else len(v) + 1)
    if count >= 0:
        hits = min(hits, count)
    st.sized(len(v) + hits * (len(new) - len(old)), "The replaced text")
    return v.replace(old, new, count)


@method("text", "split", sig="split(separator=null, max_splits=-1)",
        doc="Splits into a list at `separator` (whitespace when null; '' splits into "
            "characters).")
def _split(st: State, v: str, separator: Any = None, max_splits: Any = -1) -> list[str]:
    n = arg_int(max_splits, "split() max_splits")
    if separator is None:
        return v.split(None, n)
    sep = arg_text(separator, "The separator")
    if sep == "":
        return list(v)
    return v.split(sep, n)


@method("text list", "contains", "includes", sig="contains(value)",
        doc="True if the text contains the substring / the list contains the element.")
def _contains(st: State, v: Any, part: Any) -> bool:
    if isinstance(v, str):
        return arg_text(part, "contains() value") in v
    st.charge(len(v))
    return part in v


@method("text", "starts_with", "startsWith", "startswith", sig="starts_with(prefix)",
        doc="True if the text starts with `prefix`.")
def _starts(st: State, v: str, prefix: Any) -> bool:
    return v.startswith(arg_text(prefix, "The prefix"))


@method("text", "ends_with", "endsWith", "endswith", sig="ends_with(suffix)",
        doc="True if the text ends with `suffix`.")
def _ends(st: State, v: str, suffix: Any) -> bool:
    return v.endswith(arg_text(suffix, "The suffix"))


@method("text list", "slice", sig="slice(start, end=null)",
        doc="The part from `start` up to (not including) `end`; negative counts from the end.")
def _slice(st: State, v: Any, start: Any, end: Any = None) -> Any:
    a = arg_int(start, "slice() start")
    b = None if end is None else arg_int(end, "slice() end")
    return v[a:b]


@method("text", "substring", sig="substring(start, end=null)",
        doc="JavaScript substring: negative positions count as 0; swaps if start > end.")
def _substring(st: State, v: str, start: Any, end: Any = None) -> str:
    a = max(0, arg_int(start, "substring() start"))
    b = len(v) if end is None else max(0, arg_int(end, "substring() end"))
    return v[min(a, b):max(a, b)]


@method("text list", "index_of", "indexOf", "find", sig="index_of(value)",
        doc="Position of the first occurrence, or -1.")
def _index_of(st: State, v: Any, part: Any) -> int:
    if isinstance(v, str):
        return v.find(arg_text(part, "index_of() value"))
    st.charge(len(v))
    for i, e in enumerate(v):
        if e == part:
            return i
    return -1


@method("text", "last_index_of", "lastIndexOf", "rfind", sig="last_index_of(value)",
        doc="Position of the last occurrence, or -1.")
def _last_index_of(st: State, v: str, value: Any) -> int:
    return v.rfind(arg_text(value, "last_index_of() value"))


@method("text", "count", sig="count(value)", doc="How often the substring occurs.")
def _count(st: State, v: str, value: Any) -> int:
    return v.count(arg_text(value, "count() value"))


@method("text", "char_at", "charAt", "at", sig="char_at(index)",
        doc="The character at `index` (negative counts from the end), or null.")
def _char_at(st: State, v: str, index: Any) -> str | None:
    i = arg_int(index, "The index")
    return v[i] if -len(v) <= i < len(v) else None


def _pad(st: State, v: str, width: Any, fill_text: Any, start: bool) -> str:
    size = arg_int(width, "The width")
    fill = arg_text(fill_text, "The fill text") or " "
    st.sized(size, "The padded text")
    missing = size - len(v)
    if missing <= 0:
        return v
    pad = (fill * (missing // len(fill) + 1))[:missing]
    return pad + v if start else v + pad


@method("text", "pad_start", "padStart", "rjust", sig="pad_start(width, fill=' ')",
        doc="Pads at the start up to `width` characters.")
def _pad_start(st: State, v: str, width: Any, fill: Any = " ") -> str:
    return _pad(st, v, width, fill, True)


@method("text", "pad_end", "padEnd", "ljust", sig="pad_end(width, fill=' ')",
        doc="Pads at the end up to `width` characters.")
def _pad_end(st: State, v: str, width: Any, fill: Any = " ") -> str:
    return _pad(st, v, width, fill, False)


@method("text", "repeat", sig="repeat(times)", doc="The text repeated `times` times.")
def _repeat(st: State, v: str, times: Any) -> str:
    n = arg_int(times, "repeat() times", low=0)
    st.sized(len(v) * n, "The repeated text")
    return v * n


@method("text", "url_encode", "encodeURIComponent", sig="url_encode()",
        doc="Percent-encodes the text for use in a URL.")
def _url_encode(st: State, v: str) -> str:
    return urllib.parse.quote(v, safe="")


@method("text", "url_decode", "decodeURIComponent", sig="url_decode()",
        doc="Decodes percent-encoding.")
def _url_decode(st: State, v: str) -> str:
    return urllib.parse.unquote(v)


@method("text", "to_date", "toDate", "toDateTime", sig="to_date(pattern=null)",
        doc="Reads ISO 8601 text (or text in a strptime `pattern`) as a date.")
def _text_to_date(st: State, v: str, pattern: Any = None) -> DateTime:
    from engine.expressions._datetime import get_zone

    return parse_date(v, get_zone(st.ctx.timezone or "UTC"), pattern)


def to_number(v: Any, what: str = "The value") -> int | float:
    """Parses text (``'12'``, ``' 3.5 '``, ``'1e3'``) or passes a number through."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float):
        return v
    if isinstance(v, str):
        s = v.strip()
        try:
            if _INT_RE.fullmatch(s) and len(s) <= 300:
                return int(s)
            if len(s) <= 400:
                return float(s)
        except ValueError:
            pass
        raise ExpressionError(f"Cannot read '{v[:40]}' as a number.")
    raise ExpressionError(f"{what} must be a number or numeric text; got {describe(v)}.")


@method("text number boolean", "to_number", "toNumber", sig="to_number()",
        doc="The number in the text ('12' is 12, '3.5' is 3.5).")
def _to_number(st: State, v: Any) -> int | float:
    return to_number(v)


@method("text number boolean", "to_int", "toInt", sig="to_int()",
        doc="A whole number (decimals are cut off).")
def _to_int(st: State, v: Any) -> int:
    n = to_number(v)
    if isinstance(n, float) and not math.isfinite(n):
        raise ExpressionError("Cannot turn infinity or NaN into a whole number.")
    return int(n)


@method("text number boolean", "to_float", "toFloat", sig="to_float()",
        doc="A decimal number.")
def _to_float(st: State, v: Any) -> float:
    return float(to_number(v))


@method("text", "is_numeric", "isNumeric", sig="is_numeric()",
        doc="True if the text is a number.")
def _is_numeric(st: State, v: str) -> bool:
    try:
        to_number(v)
    except ExpressionError:
        return False
    return True


for _name in ("regex_test", "regex_match", "regex_find_all", "regex_split"):
    method("text", _name, sig=f"{_name}(pattern, flags='')",
           doc=(getattr(_regex, _name).__doc__ or "").strip())(getattr(_regex, _name))
method("text", "regex_replace", sig="regex_replace(pattern, replacement, count=0, flags='')",
       doc=(_regex.regex_replace.__doc__ or "").strip())(_regex.regex_replace)


# -- numbers -----------------------------------------------------------------------
def round_half_up(x: Any, digits: Any = 0) -> int | float:
    """Rounds half away from zero (2.5 -> 3, 1.005 -> 1.01), unlike Python's round()."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ExpressionError(f"round() needs a number; got {describe(x)}.")
    d = arg_int(digits, "The number of decimals", low=-20, high=20)
    if isinstance(x, float) and not math.isfinite(x):
        return x
    try:
        q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return x
    return int(q) if d <= 0 else float(q)


@method("number", "round", sig="round(decimals=0)",
        doc="Rounded half away from zero to `decimals` places.")
def _round(st: State, v: Any, decimals: Any = 0) -> int | float:
    return round_half_up(v, decimals)


@method("number", "floor", sig="floor()", doc="Rounded down to a whole number.")
def _floor(st: State, v: float) -> int:
    return math.floor(v)


@method("number", "ceil", sig="ceil()", doc="Rounded up to a whole number.")
def _ceil(st: State, v: float) -> int:
    return math.ceil(v)


@method("number", "abs", sig="abs()", doc="The absolute value.")
def _abs(st: State, v: Any) -> Any:
    return abs(v)


@method("number", "to_fixed", "toFixed", sig="to_fixed(decimals=0)",
        doc="Text with exactly `decimals` decimal places.")
def _to_fixed(st: State, v: Any, decimals: Any = 0) -> str:
    d = arg_int(decimals, "The number of decimals", low=0, high=100)
    r = round_half_up(v, d)
    return f"{r:.{d}f}"


@method("number", "is_even", "isEven", sig="is_even()", doc="True for even whole numbers.")
def _is_even(st: State, v: Any) -> bool:
    return float(v).is_integer() and int(v) % 2 == 0


@method("number", "is_odd", "isOdd", sig="is_odd()", doc="True for odd whole numbers.")
def _is_odd(st: State, v: Any) -> bool:
    return float(v).is_integer() and int(v) % 2 == 1


@method("number", "is_integer", "isInteger", sig="is_integer()",
        doc="True if the number has no decimals.")
def _is_integer(st: State, v: Any) -> bool:
    return isinstance(v, int) or (math.isfinite(v) and float(v).is_integer())
