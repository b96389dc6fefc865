"""User-supplied regular expressions, on a linear-time engine (RE2).

Python's ``re`` backtracks: ``^(a+)+$`` on ``'a' * 64 + '!'`` runs for hours inside C
code, where neither a signal nor another thread can stop it, so one IF condition could
pin a worker. Every pattern a user writes (IF/Filter/Switch conditions, Rename Keys,
the expression helpers ``regex_test`` ...) is compiled here, with ``google-re2``,
whose running time is linear in the text whatever the pattern.

RE2 has no back-references (``\\1``, ``(?P=name)``) and no look-around (``(?=``,
``(?!``, ``(?<=``, ``(?<!``); a pattern using them is refused with a
:class:`RegexError` that says so and names where the pattern came from. ``\\w``, ``\\d``,
``\\s`` and ``\\b`` match ASCII only (use ``\\p{L}`` for any letter). Python's ``\\Z``
is accepted (RE2 spells it ``\\z``).

Example::

    from engine.sdk.regex import RegexError, compile_regex

    rx = compile_regex(pattern, flags="i", what="Condition 1's regular expression")
    rx.search(text)          # same API as a compiled ``re`` pattern
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, cast

import re2

from engine.errors import ValidationError

__all__ = ["MAX_PATTERN", "RegexError", "compile_regex"]

MAX_PATTERN = 2000
"""Longest pattern accepted (characters)."""
_FLAGS = frozenset("ims")
_LOOKAROUND = re.compile(r"\(\?<?[=!]")
_NAMED_REF = re.compile(r"\(\?P=")
_ESCAPE = re.compile(r"\\(.)", re.S)


class RegexError(ValidationError):
    """A user's regular expression is invalid or uses what RE2 cannot run."""

    code = "invalid_regex"


def compile_regex(
    pattern: str, *, flags: str = "", what: str = "The regular expression"
) -> re.Pattern[str]:
    """Compiles ``pattern`` for RE2 (cached). Typed as ``re.Pattern``: RE2's compiled
    pattern has the same methods (search, match, fullmatch, finditer, findall, split, sub,
    subn, groups, groupindex) and its matches those of ``re.Match``.

    Args:
        pattern: the user's pattern, Python syntax (minus the unsupported parts).
        flags: any of ``i`` (ignore case), ``m`` (``^``/``$`` at lines), ``s`` (``.``
            matches newlines).
        what: names the pattern in error messages, e.g. "Condition 2 of node 'Check'".

    Raises:
        RegexError: too long, invalid, an unknown flag, or back-references/look-around.
    """
    if not isinstance(pattern, str):
        raise RegexError(f"{what} must be text, not {type(pattern).__name__}.")
    return cast("re.Pattern[str]", _compile(pattern, flags, what))


@lru_cache(maxsize=512)
def _compile(pattern: str, flags: str, what: str) -> Any:
    shown = pattern if len(pattern) <= 80 else pattern[:77] + "..."
    if len(pattern) > MAX_PATTERN:
        raise RegexError(
            f"{what} is {len(pattern):,} characters long; at most {MAX_PATTERN:,} are allowed."
        )
    unknown = sorted(set(flags) - _FLAGS)
    if unknown:
        extra = (
            " (verbose mode 'x' is not supported: remove the spaces and comments)"
            if "x" in unknown
            else ""
        )
        raise RegexError(
            f"{what} has the unknown flag(s) {', '.join(unknown)}{extra}; use "
            "i (ignore case), m (multi-line) or s (dot matches newline)."
        )
    body = _translate(pattern)
    unsupported = _unsupported(body)
    if unsupported:
        raise RegexError(
            f"{what} '{shown}' uses {unsupported}, which AURA does not support: patterns run "
            "on RE2, a linear-time engine that no pattern can hang, and RE2 has no "
            "back-references or look-around. Rewrite it without them (for example match "
            "a little more and keep a group).",
            details={"pattern": shown},
        )
    options = re2.Options()
    options.log_errors = False
    prefix = f"(?{''.join(sorted(set(flags)))})" if flags else ""
    try:
        return re2.compile(prefix + body, options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise RegexError(
            f"{what} '{shown}' is invalid: {reason}.", details={"pattern": shown}
        ) from None


def _translate(pattern: str) -> str:
    """Python spellings RE2 lacks: ``\\Z`` (end of text) becomes ``\\z``."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\z" if nxt == "Z" else c + nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _unsupported(pattern: str) -> str:
    """Names the first construct RE2 cannot run, or ''."""
    plain = _ESCAPE.sub("__", pattern)  # an escaped character starts nothing
    if _LOOKAROUND.search(plain):
        return "look-ahead or look-behind ('(?=', '(?!', '(?<=', '(?<!')"
    if _NAMED_REF.search(plain) or any(
        m.group(1) in "123456789" for m in _ESCAPE.finditer(pattern)
    ):
        return "a back-reference ('\\1', '(?P=name)')"
    return ""
