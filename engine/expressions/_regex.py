"""Regular expressions with a bounded running time.

Python's ``re`` backtracks and cannot be interrupted, so a pattern is checked before use:
back-references, nested variable-length repeats (``(a+)+``) and ambiguous alternations
inside repeats (``(a|ab)*``) are refused, and the text it may run on is capped by the
number of variable-length parts (each one can multiply the work by the text length).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from engine.errors import ExpressionError
from engine.expressions._errors import ExpressionLimitError, ExpressionRefused

try:  # the parser behind `re` (private, stable since 3.11)
    _c: Any = importlib.import_module("re._constants")
    _p: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover
    _c = importlib.import_module("sre_constants")
    _p = importlib.import_module("sre_parse")

if TYPE_CHECKING:
    from engine.expressions._limits import State

__all__ = ["MAX_PATTERN", "regex_find_all", "regex_match", "regex_replace", "regex_split",
           "regex_test", "safe_pattern"]

MAX_PATTERN = 500
# Longest text a pattern with N variable-length parts may search: backtracking can cost
# about len(text) ** (N + 1) steps, measured to stay well under a second.
_TEXT_CAPS = {0: 10**9, 1: 10_000, 2: 1_000, 3: 150, 4: 60}
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}
_REFS = {_c.GROUPREF, _c.GROUPREF_EXISTS, _c.GROUPREF_IGNORE,
         getattr(_c, "GROUPREF_LOC_IGNORE", _c.GROUPREF),
         getattr(_c, "GROUPREF_UNI_IGNORE", _c.GROUPREF)}


def _children(op: Any, av: Any) -> Iterable[Any]:
    if op in _REPEATS:
        return [av[2]]
    if op == _c.SUBPATTERN:
        return [av[3]]
    if op == _c.BRANCH:
        return list(av[1])
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [av[1]]
    if op == getattr(_c, "ATOMIC_GROUP", None):
        return [av]
    return []


def _variable_repeats(sub: Any) -> int:
    """Counts variable-length repeats; raises on nested ones and risky alternations."""
    count = 0
    for op, av in sub:
        if op in _REFS:
            raise ExpressionRefused("Regular expressions with back-references (\\1, "
                                    "(?P=name)) are not supported in expressions.")
        inner = sum(_variable_repeats(c) for c in _children(op, av))
        if op in _REPEATS and av[0] != av[1]:
            if inner:
                raise ExpressionRefused(
                    "This regular expression nests repeats (like '(a+)+'), which can take "
                    "forever on some text. Rewrite it without a repeat inside a repeat.")
            if _has_ambiguous_branch(av[2]):
                raise ExpressionRefused(
                    "This regular expression repeats alternatives that can match the same "
                    "text (like '(a|ab)*'), which can take forever on some text. Make the "
                    "alternatives start with different characters.")
            count += 1
        count += inner
    return count


def _has_ambiguous_branch(sub: Any) -> bool:
    for op, av in sub:
        if op == _c.BRANCH:
            firsts = []
            for branch in av[1]:
                items = list(branch)
                if not items or items[0][0] != _c.LITERAL:
                    return True
                firsts.append(items[0][1])
            if len(set(firsts)) != len(firsts):
                return True
        if any(_has_ambiguous_branch(c) for c in _children(op, av)):
            return True
    return False


@lru_cache(maxsize=512)
def _compile(pattern: str, flags: str) -> tuple[re.Pattern[str], int]:
    if len(pattern) > MAX_PATTERN:
        raise ExpressionLimitError(f"Regular expressions are limited to {MAX_PATTERN} "
                                   "characters.")
    bits = 0
    for f in flags:
        if f not in _FLAGS:
            raise ExpressionError(f"Unknown regular expression flag '{f}'; use i, m, s or x.")
        bits |= _FLAGS[f]
    try:
        compiled = re.compile(pattern, bits)
        parsed = _p.parse(pattern, bits)
    except (re.error, OverflowError, RecursionError) as exc:
        raise ExpressionError(f"Invalid regular expression '{pattern[:80]}': {exc}") from None
    degree = _variable_repeats(parsed)
    return compiled, _TEXT_CAPS.get(degree, 30)


def safe_pattern(pattern: Any, text: Any, flags: Any = "",
                 st: State | None = None) -> re.Pattern[str]:
    """The compiled ``pattern`` if it is safe to run on ``text``; raises otherwise."""
    if not isinstance(pattern, str) or not isinstance(text, str):
        raise ExpressionError("Regular expression helpers take text and a pattern (text).")
    if not isinstance(flags, str):
        raise ExpressionError("Regular expression flags are text such as 'i' or 'im'.")
    compiled, cap = _compile(pattern, flags)
    if len(text) > cap:
        raise ExpressionLimitError(
            f"This regular expression may only run on text of up to {cap:,} characters "
            f"(the text has {len(text):,}); the more variable-length parts ('*', '+', "
            "'{m,n}') a pattern has, the shorter the text it may search. Use a simpler "
            "pattern or a Code node.")
    if st is not None:
        st.charge(len(text) // 16 + 1)
    return compiled


def _groups(m: re.Match[str]) -> Any:
    return [m.group(0), *m.groups()]


def regex_test(st: State, text: Any, pattern: Any, flags: Any = "") -> bool:
    """True if `pattern` matches somewhere in the text."""
    return safe_pattern(pattern, text, flags, st).search(text) is not None


def regex_match(st: State, text: Any, pattern: Any, flags: Any = "") -> Any:
    """The first match as `[whole, group1, ...]`, or null."""
    m = safe_pattern(pattern, text, flags, st).search(text)
    return None if m is None else _groups(m)


def regex_find_all(st: State, text: Any, pattern: Any, flags: Any = "") -> list[Any]:
    """Every match: the matched text, or `[whole, group1, ...]` if the pattern has groups."""
    rx = safe_pattern(pattern, text, flags, st)
    if rx.groups:
        return [_groups(m) for m in rx.finditer(text)]
    return [m.group(0) for m in rx.finditer(text)]


def regex_split(st: State, text: Any, pattern: Any, flags: Any = "") -> list[Any]:
    """The text split where `pattern` matches."""
    return safe_pattern(pattern, text, flags, st).split(text)


def regex_replace(st: State, text: Any, pattern: Any, replacement: Any, count: Any = 0,
                  flags: Any = "") -> str:
    """The text with matches of `pattern` replaced; `\\1` or `\\g<name>` insert groups."""
    rx = safe_pattern(pattern, text, flags, st)
    if not isinstance(replacement, str):
        raise ExpressionError("regex_replace() takes the replacement as text.")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ExpressionError("regex_replace() count must be a whole number >= 0.")
    size = [len(text)]
    limit = st.limits.max_size

    def expand(m: re.Match[str]) -> str:
        try:
            out = m.expand(replacement)
        except (re.error, IndexError) as exc:
            raise ExpressionError(f"Invalid replacement '{replacement[:80]}': {exc}") from None
        size[0] += len(out) - (m.end() - m.start())
        if size[0] > limit:
            raise ExpressionLimitError(f"The replaced text would be longer than {limit:,} "
                                       "characters.")
        return out

    return rx.sub(expand, text, count=count)
