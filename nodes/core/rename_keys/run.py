"""Rename Keys: moves values from old field names to new ones, then applies the regex."""

from __future__ import annotations

import copy
import re
from typing import Any

from engine.sdk import Item, NodeContext
from engine.sdk.regex import compile_regex
from nodes.core.if_.paths import MISSING, del_path, get_path, set_path
from nodes.core.rename_keys.spec import RenameKeysParams

_JS_GROUP = re.compile(r"\$(\d+|&|<(\w+)>)")


def python_replacement(text: str) -> str:
    """Turns JavaScript-style ``$1``, ``$&``, ``$<name>`` into Python's ``\\g<...>``."""

    def sub(m: re.Match[str]) -> str:
        g = m.group(1)
        if g == "&":
            return r"\g<0>"
        return rf"\g<{m.group(2) or g}>"

    return _JS_GROUP.sub(sub, text)


def _rename_regex(obj: Any, pattern: re.Pattern[str], repl: str, depth: int) -> Any:
    """Renames keys of ``obj`` (recursing ``depth`` more levels; -1: all), keeping order."""
    if isinstance(obj, list):
        return [_rename_regex(x, pattern, repl, depth) for x in obj] if depth != 0 else obj
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for k, v in obj.items():
        if depth != 0:
            v = _rename_regex(v, pattern, repl, depth - 1 if depth > 0 else -1)
        out[pattern.sub(repl, k)] = v
    return out


def rename(item: Item, p: RenameKeysParams) -> dict[str, Any]:
    data = copy.deepcopy(item.json)
    for pair in p.keys:
        if pair.current == pair.new:
            continue
        value = get_path(data, pair.current, p.dot_notation)
        if value is MISSING:
            continue
        del_path(data, pair.current, p.dot_notation)
        set_path(data, pair.new, value, p.dot_notation)
    if p.regex:
        rx = compile_regex(
            p.regex, flags="i" if p.regex_case_insensitive else "", what="The 'regex' field"
        )
        data = _rename_regex(data, rx, python_replacement(p.replace_with), p.regex_depth)
    return data


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Renames fields on each main input item; binary data is kept."""

    def one(item: Item, i: int) -> dict[str, Any]:
        p = ctx.params(i)
        assert isinstance(p, RenameKeysParams)
        return rename(item, p)

    return ctx.map(one)
