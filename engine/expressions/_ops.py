"""Operators, field access and method dispatch on expression values.

Every operation checks the kinds of its operands first and works only on JSON values,
:class:`DateTime` and the views; sizes are checked *before* a big string, list or integer
is built. Field access on objects is a key lookup (null when missing); anything else
goes through the registries of ``_registry.py`` — never through Python attributes.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.errors import ExpressionError
from engine.expressions._datetime import DateTime
from engine.expressions._errors import ExpressionLimitError
from engine.expressions._registry import CANONICAL, METHODS, PROPERTIES
from engine.expressions._values import describe, kind, to_text

if TYPE_CHECKING:
    from engine.expressions._limits import State

__all__ = ["BINARY", "COMPARE", "call_method", "get_field", "get_index", "get_slice",
           "negate"]

_NUM = frozenset((int, float, bool))
_INT = frozenset((int, bool))


def _type_error(op: str, a: Any, b: Any) -> ExpressionError:
    return ExpressionError(f"Cannot use '{op}' on {describe(a)} and {describe(b)}.")


def _int_bits(st: State, bits: int) -> None:
    if bits > st.limits.max_int_bits:
        raise ExpressionLimitError(
            f"The number would be too large (more than {st.limits.max_int_bits:,} bits).")


def add(st: State, a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta in _NUM and tb in _NUM:
        return a + b
    if ta is str:
        if tb is str:
            st.sized(len(a) + len(b), "The text")
            return a + b
        if tb in _NUM:
            return a + to_text(b, st.limits)
    elif tb is str and ta in _NUM:
        return to_text(a, st.limits) + b
    elif ta is list and tb is list:
        st.sized(len(a) + len(b), "The list")
        return a + b
    raise _type_error("+", a, b)


def mul(st: State, a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta in _NUM and tb in _NUM:
        if ta is int and tb is int:
            _int_bits(st, a.bit_length() + b.bit_length())
        return a * b
    if tb in (str, list) and ta in _INT:
        a, b, ta, tb = b, a, tb, ta
    if ta in (str, list) and tb in _INT:
        st.sized(len(a) * max(b, 0), "The repeated value")
        return a * b
    raise _type_error("*", a, b)


def power(st: State, a: Any, b: Any) -> Any:
    if type(a) not in _NUM or type(b) not in _NUM:
        raise _type_error("**", a, b)
    if type(a) in _INT and type(b) in _INT and b > 0 and abs(a) > 1:
        _int_bits(st, a.bit_length() * b)
    try:
        r = a ** b
    except OverflowError:
        raise ExpressionLimitError("The number would be too large.") from None
    except ZeroDivisionError:
        raise ExpressionError("Division by zero (zero to a negative power).") from None
    if type(r) is complex:
        raise ExpressionError("The result is not a real number (negative number to a "
                              "fractional power).")
    return r


def lshift(st: State, a: Any, b: Any) -> Any:
    if type(a) not in _INT or type(b) not in _INT:
        raise _type_error("<<", a, b)
    if b > 0:
        _int_bits(st, a.bit_length() + b)
    return a << b


def _numeric(symbol: str, fn: Callable[[Any, Any], Any], types: frozenset[type] = _NUM
             ) -> Callable[[State, Any, Any], Any]:
    def op(st: State, a: Any, b: Any) -> Any:
        if type(a) not in types or type(b) not in types:
            raise _type_error(symbol, a, b)
        try:
            return fn(a, b)
        except ZeroDivisionError:
            raise ExpressionError("Division by zero.") from None
    return op


def _or(st: State, a: Any, b: Any) -> Any:
    if type(a) is dict and type(b) is dict:
        st.sized(len(a) + len(b), "The object")
        return a | b
    if type(a) not in _INT or type(b) not in _INT:
        raise _type_error("|", a, b)
    return a | b


BINARY: dict[type, Callable[[State, Any, Any], Any]] = {
    ast.Add: add,
    ast.Sub: _numeric("-", operator.sub),
    ast.Mult: mul,
    ast.Div: _numeric("/", operator.truediv),
    ast.FloorDiv: _numeric("//", operator.floordiv),
    ast.Mod: _numeric("%", operator.mod),
    ast.Pow: power,
    ast.LShift: lshift,
    ast.RShift: _numeric(">>", operator.rshift, _INT),
    ast.BitAnd: _numeric("&", operator.and_, _INT),
    ast.BitOr: _or,
    ast.BitXor: _numeric("^", operator.xor, _INT),
}


def negate(st: State, v: Any, op: ast.unaryop) -> Any:
    """Unary ``-``, ``+`` and ``~`` on numbers."""
    if type(v) not in _NUM or (isinstance(op, ast.Invert) and type(v) not in _INT):
        sym = {"USub": "-", "UAdd": "+", "Invert": "~"}[type(op).__name__]
        raise ExpressionError(f"Cannot use '{sym}' on {describe(v)}.")
    if isinstance(op, ast.USub):
        return -v
    return +v if isinstance(op, ast.UAdd) else ~v


def _ordered(symbol: str, fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def cmp(a: Any, b: Any) -> bool:
        ta, tb = type(a), type(b)
        if (ta in _NUM and tb in _NUM) or (ta is tb and (ta is str or ta is DateTime)):
            return fn(a, b)
        raise ExpressionError(f"Cannot compare {describe(a)} with {describe(b)} using "
                              f"'{symbol}'.")
    return cmp


def _contains(a: Any, b: Any) -> bool:
    tb = type(b)
    if tb is str or isinstance(b, str):
        if not isinstance(a, str):
            raise ExpressionError(f"'in' on text needs text on the left; got {describe(a)}.")
        return a in b
    if tb is list or tb is dict or isinstance(b, list | dict | tuple):
        try:
            return a in b
        except TypeError:  # unhashable key in a dict
            return False
    raise ExpressionError(f"'in' needs text, a list or an object on the right; got "
                          f"{describe(b)}.")


COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: _ordered("<", operator.lt),
    ast.LtE: _ordered("<=", operator.le),
    ast.Gt: _ordered(">", operator.gt),
    ast.GtE: _ordered(">=", operator.ge),
    ast.In: _contains,
    ast.NotIn: lambda a, b: not _contains(a, b),
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


def get_field(st: State, v: Any, name: str, src: object) -> Any:
    """``v.name``: a key of an object, else a registered property of ``v``'s kind."""
    if isinstance(v, dict):
        return v.get(name)
    k = kind(v)
    fn = PROPERTIES.get(k, {}).get(name)
    if fn is not None:
        return fn(st, v)
    if v is None:
        raise ExpressionError(f"Cannot read field '{name}' of null: '{src}' is empty. "
                              f"Check it first, e.g. {src}.{name} if {src} else null, "
                              f"or use {src}?.{name}.")
    if name in METHODS.get(k, {}):
        raise ExpressionError(f"'{name}' is a method of {describe(v)}; call it: "
                              f"{src}.{name}()")
    props = ", ".join(sorted(PROPERTIES.get(k, {}))) or "none"
    raise ExpressionError(f"Cannot read field '{name}' of {describe(v)} ('{src}'); "
                          f"its fields are: {props}.")


def call_method(st: State, v: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                src: object) -> Any:
    """``v.name(*args, **kwargs)`` through the method registry of ``v``'s kind."""
    k = kind(v)
    fn = METHODS.get(k, {}).get(name)
    if fn is None:
        if v is None:
            raise ExpressionError(f"Cannot call '{name}()' on null: '{src}' is empty.")
        names = ", ".join(sorted(CANONICAL.get(k) or METHODS.get(k, {}))) or "none"
        raise ExpressionError(f"{describe(v)[0].upper()}{describe(v)[1:]} has no method "
                              f"'{name}' (in {src}). Available: {names}.")
    try:
        return fn(st, v, *args, **kwargs)
    except TypeError as exc:
        if "argument" in str(exc):
            raise ExpressionError(f"Wrong arguments for {name}() on {describe(v)} "
                                  f"('{src}').") from None
        raise


def get_index(st: State, v: Any, key: Any, src: object) -> Any:
    """``v[key]``: object key, list/text position (null when out of range), view field."""
    if isinstance(v, dict):
        if type(key) is str:
            return v.get(key)
        if type(key) in _NUM:
            return v.get(to_text(key, st.limits))
        raise ExpressionError(f"Object keys are text; got {describe(key)} in '{src}[...]'.")
    if isinstance(v, list | str | tuple):
        if type(key) is float and key.is_integer():
            key = int(key)
        if type(key) not in _INT:
            raise ExpressionError(f"A position in {describe(v)} must be a whole number; "
                                  f"got {describe(key)} in '{src}[...]'.")
        return v[key] if -len(v) <= key < len(v) else None
    if v is None:
        raise ExpressionError(f"Cannot read [{to_text(key, st.limits)[:40]}] of null: "
                              f"'{src}' is empty.")
    if type(key) is str and kind(v) in ("node", "input", "date"):
        return get_field(st, v, key, src)
    raise ExpressionError(f"Cannot index {describe(v)} ('{src}').")


def get_slice(st: State, v: Any, lo: Any, hi: Any, step: Any, src: object) -> Any:
    """``v[lo:hi:step]`` on text and lists."""
    if not isinstance(v, list | str | tuple):
        raise ExpressionError(f"Cannot slice {describe(v)} ('{src}').")
    for x in (lo, hi, step):
        if x is not None and type(x) not in _INT:
            raise ExpressionError(f"Slice positions must be whole numbers ('{src}').")
    if step == 0:
        raise ExpressionError("A slice step cannot be zero.")
    return v[lo:hi:step]
