"""Parameter problems in plain words: one path format and pydantic's messages reworded.

Every place that names a parameter to a user (the editor's inline errors and previews,
save-time validation, run-time parameter errors) writes its path the same way,
``assignments[1].value``, and says what to do instead of pydantic's wording
("String should have at least 1 character", "Value error, ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["param_path", "plain_message"]


def param_path(loc: Iterable[Any]) -> str:
    """``("assignments", 1, "value")`` or ``"assignments.1.value"`` -> ``assignments[1].value``."""
    parts = loc.split(".") if isinstance(loc, str) else [str(p) for p in loc]
    out = ""
    for p in parts:
        if p == "":
            continue
        if p.isdigit():
            out += f"[{p}]"
        else:
            out += f".{p}" if out else p
    return out or "(parameters)"


_NUM = r"(-?\d+(?:\.\d+)?)"
_REWORD: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^Field required$", "Required: enter a value."),
        (r"^String should have at least 1 character$", "Required: enter a value."),
        (r"^String should have at least (\d+) characters$", r"Enter at least \1 characters."),
        (r"^String should have at most (\d+) characters?$", r"Enter at most \1 characters."),
        (r"^List should have at least 1 item.*$", "Add at least one entry."),
        (r"^Input should be a valid integer.*$", "Enter a whole number."),
        (r"^Input should be a valid number.*$", "Enter a number."),
        (r"^Input should be a valid boolean.*$", "Choose on or off."),
        (r"^Input should be a valid string$", "Enter text."),
        (r"^Input should be a valid dictionary.*$", 'Enter a JSON object, e.g. {"key": 1}.'),
        (r"^Input should be a valid list$", "Enter a list."),
        (
            r"^Input should be a valid (?:datetime|date).*$",
            "Enter a date and time such as 2025-01-31T12:00:00+00:00.",
        ),
        (rf"^Input should be greater than or equal to {_NUM}$", r"Enter \1 or more."),
        (rf"^Input should be greater than {_NUM}$", r"Enter a value above \1."),
        (rf"^Input should be less than or equal to {_NUM}$", r"Enter \1 or less."),
        (rf"^Input should be less than {_NUM}$", r"Enter a value below \1."),
        (
            r"^Extra inputs are not permitted$",
            "This node has no such parameter; remove it (was it renamed?).",
        ),
        (r"^String should match pattern '(.*)'$", r"Must match the pattern \1."),
        (r"^Invalid JSON.*$", "Enter valid JSON."),
    )
)


def plain_message(error: Mapping[str, Any] | str) -> str:
    """A pydantic error (its dict, or its ``msg``) said plainly, ending with a period."""
    msg = str(error if isinstance(error, str) else error.get("msg", "invalid")).strip()
    kind = "" if isinstance(error, str) else str(error.get("type", ""))
    if kind in ("literal_error", "enum") or msg.startswith("Input should be '"):
        choices = re.findall(r"'([^']*)'", msg)
        if choices:
            return "Choose one of: " + ", ".join(choices) + "."
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
            break
    else:
        for pattern, repl in _REWORD:
            if pattern.match(msg):
                msg = pattern.sub(repl, msg)
                break
    msg = msg[:1].upper() + msg[1:]
    return msg if msg.endswith((".", "!", "?")) else msg + "."
