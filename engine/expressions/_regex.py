"""Regular expressions in expressions, on a linear-time engine.

Patterns compile through :func:`engine.sdk.regex.compile_regex` (RE2), whose running time
is linear in the text for any pattern, so ``regex_test(text, '(a+)+$')`` answers at once
instead of backtracking for hours. Back-references and look-around are refused with a
message; the work charged to the expression grows with the text's length.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import re2

from engine.errors import ExpressionError
from engine.expressions._errors import ExpressionLimitError, ExpressionRefused
from engine.sdk.regex import RegexError, compile_regex

if TYPE_CHECKING:
    from engine.expressions._limits import State

__all__ = [
    "MAX_PATTERN",
    "regex_find_all",
    "regex_match",
    "regex_replace",
    "regex_split",
    "regex_test",
    "safe_pattern",
]

MAX_PATTERN = 500


def safe_pattern(
    pattern: Any, text: Any, flags: Any = "", st: State | None = None
) -> re.Pattern[str]:
    """The compiled (RE2) ``pattern``, charging ``st`` for the text; raises otherwise."""
    if not isinstance(pattern, str) or not isinstance(text, str):
        raise ExpressionError("Regular expression helpers take text and a pattern (text).")
    if not isinstance(flags, str):
        raise ExpressionError("Regular expression flags are text such as 'i' or 'im'.")
    if len(pattern) > MAX_PATTERN:
        raise ExpressionLimitError(f"Regular expressions are limited to {MAX_PATTERN} characters.")
    try:
        compiled = compile_regex(pattern, flags=flags, what="The regular expression")
    except RegexError as exc:
        refused = "does not support" in exc.message
        raise (ExpressionRefused if refused else ExpressionError)(exc.message) from None
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


def regex_replace(
    st: State, text: Any, pattern: Any, replacement: Any, count: Any = 0, flags: Any = ""
) -> str:
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
        except (re2.error, IndexError, ValueError) as exc:
            raise ExpressionError(f"Invalid replacement '{replacement[:80]}': {exc}") from None
        size[0] += len(out) - (m.end() - m.start())
        if size[0] > limit:
            raise ExpressionLimitError(
                f"The replaced text would be longer than {limit:,} characters."
            )
        return out

    return rx.sub(expand, text, count=count)
