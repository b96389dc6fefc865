"""AURA parameter values → n8n values: templates become ``=...`` expressions, with the
JavaScript meaning of ``replace`` kept."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["opt", "to_n8n_value"]


def _close(text: str, i: int) -> tuple[list[tuple[int, int]], int]:
    """Argument spans of the call whose '(' is at ``i``, and the index of its ')'."""
    depth, start, args, j = 0, i + 1, [], i
    while j < len(text):
        c = text[j]
        if c in "\"'":
            j += 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append((start, j))
                return args, j
        elif c == "," and depth == 1:
            args.append((start, j))
            start = j + 1
        j += 1
    return args, -1


def _js_replace(expr: str) -> str:
    """AURA's ``.replace(a, b)`` replaces every occurrence (JavaScript's: the first):
    written as ``.replaceAll(a, b)``; ``.replace(a, b, 1)`` as ``.replace(a, b)``."""
    out, pos = [], 0
    for m in re.finditer(r"\.replace\(", expr):
        if m.start() < pos:
            continue
        args, end = _close(expr, m.end() - 1)
        if end < 0:
            break
        if len(args) == 2:
            out.append(expr[pos : m.start()] + ".replaceAll(")
            pos = m.end()
        elif len(args) == 3 and expr[args[2][0] : args[2][1]].strip() == "1":
            out.append(expr[pos : m.start()] + ".replace(" + expr[args[0][0] : args[1][1]] + ")")
            pos = end + 1
    return "".join(out) + expr[pos:]


def _is_aura(text: str) -> bool:
    """True if ``text`` is a valid AURA template (else it is JavaScript kept verbatim by
    the importer, written back as it was)."""
    from engine.errors import ExpressionError
    from engine.expressions import compile_template

    try:
        compile_template(text)
    except ExpressionError:
        return False
    return True


def to_n8n_value(value: Any) -> Any:
    """An AURA value as an n8n value: templates get '=', escaped braces are restored."""
    if isinstance(value, dict):
        return {k: to_n8n_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_n8n_value(v) for v in value]
    if isinstance(value, str):
        if "{{" in value.replace("\\{{", ""):
            return "=" + (_js_replace(value) if _is_aura(value) else value)
        return value.replace("\\{{", "{{")
    return value


def opt(out: dict[str, Any], p: dict[str, Any], src: str, dst: str) -> None:
    if src in p:
        out[dst] = to_n8n_value(p[src])
