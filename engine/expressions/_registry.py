"""The registries of what an expression may call: methods and properties per value kind.

``METHODS[kind][name]`` and ``PROPERTIES[kind][name]`` are plain Python functions
``fn(state, value, *args)``, written in this package. Nothing else is reachable: there is
no fallback to Python attributes. ``DOCS`` keeps one description per canonical name
(aliases such as ``toUpperCase`` point at it) so a reference can be generated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from engine.errors import ExpressionError

if TYPE_CHECKING:
    from engine.expressions._limits import State

__all__ = ["CANONICAL", "DOCS", "KIND_NAMES", "METHODS", "PROPERTIES", "Doc", "arg_int", "arg_text",
           "method", "prop"]

KIND_NAMES = ("text", "number", "boolean", "list", "object", "date", "null", "input",
              "node")
METHODS: dict[str, dict[str, Callable[..., Any]]] = {k: {} for k in KIND_NAMES}
PROPERTIES: dict[str, dict[str, Callable[..., Any]]] = {k: {} for k in KIND_NAMES}
CANONICAL: dict[str, list[str]] = {k: [] for k in KIND_NAMES}
"""Canonical method names per kind (no aliases), for error messages."""


@dataclass(frozen=True, slots=True)
class Doc:
    """One documented method or property: where it applies, its names and what it does."""

    kinds: tuple[str, ...]
    names: tuple[str, ...]
    signature: str
    description: str
    is_property: bool = False


DOCS: list[Doc] = []
F = TypeVar("F", bound=Callable[..., Any])


def method(kinds: str, *names: str, sig: str, doc: str) -> Callable[[F], F]:
    """Registers ``fn(state, value, *args)`` as method ``names`` of the space-separated
    ``kinds``; the first name is canonical, the rest aliases."""
    ks = tuple(kinds.split())

    def deco(fn: F) -> F:
        for k in ks:
            for n in names:
                METHODS[k][n] = fn
            CANONICAL[k].append(names[0])
        DOCS.append(Doc(ks, names, sig, doc))
        return fn

    return deco


def prop(kinds: str, *names: str, doc: str) -> Callable[[F], F]:
    """Registers ``fn(state, value)`` as property ``names`` of ``kinds``."""
    ks = tuple(kinds.split())

    def deco(fn: F) -> F:
        for k in ks:
            for n in names:
                PROPERTIES[k][n] = fn
        DOCS.append(Doc(ks, names, names[0], doc, is_property=True))
        return fn

    return deco


def arg_int(v: Any, what: str, *, low: int | None = None, high: int | None = None) -> int:
    """``v`` as an int (whole floats accepted) within ``[low, high]``, else a friendly error."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int):
        raise ExpressionError(f"{what} must be a whole number; got {v!r:.40}.")
    if (low is not None and v < low) or (high is not None and v > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ExpressionError(f"{what} must be {bounds}; got {v}.")
    return v


def arg_text(v: Any, what: str) -> str:
    """``v`` if it is text, else a friendly error."""
    if not isinstance(v, str):
        from engine.expressions._values import describe

        raise ExpressionError(f"{what} must be text; got {describe(v)}.")
    return v


def charge_len(st: State, v: Any) -> None:
    """Charges one step per element of ``v`` (for helpers that walk a list)."""
    n = len(v)
    if n > 64:
        st.charge(n)
