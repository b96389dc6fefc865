"""YAML: safe parsing (no tags that build objects) and building, per item.

YAML aliases let a small text stand for a huge tree (``a: &a [*b, *b, ...]``); the
parsed value is walked before it is used and refused beyond :data:`MAX_NODES` values
or :data:`MAX_DEPTH` levels, so such a "billion laughs" text fails cleanly.
"""

from __future__ import annotations

import datetime
from typing import Any

import yaml

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.json.run import _MISSING, get_field, source_value, write_field
from nodes.core.yaml.spec import YamlParams

MAX_NODES = 1_000_000
MAX_DEPTH = 200


def _plain(value: Any, budget: list[int], depth: int, where: str) -> Any:
    """A JSON-compatible copy; dates become ISO text; counts every value it visits."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise NodeExecutionError(
            f"{where} expands to too much data (more than {MAX_NODES} "
            f"values or {MAX_DEPTH} levels, e.g. through aliases)."
        )
    if isinstance(value, dict):
        return {
            str(k) if not isinstance(k, str) else k: _plain(v, budget, depth + 1, where)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set):
        return [_plain(v, budget, depth + 1, where) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def load_yaml(text: str, where: str, all_documents: bool = False) -> Any:
    """Parses YAML with ``safe_load`` and returns JSON-compatible data."""
    try:
        value = list(yaml.safe_load_all(text)) if all_documents else yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise NodeExecutionError(f"{where} is not valid YAML: {problem}{at}.") from None
    return _plain(value, [MAX_NODES], 0, where)


def _parse(p: YamlParams, item: Item, i: int) -> Item:
    raw = get_field(item.json, p.field)
    if raw is _MISSING:
        raise NodeExecutionError(f"Item {i} has no field '{p.field}'. Check 'Field'.")
    value = (
        raw
        if not isinstance(raw, str)
        else load_yaml(raw, f"Item {i}: field '{p.field}'", p.all_documents)
    )
    return write_field(item, i, p.field, p.output_field, "", value, keep_source=True)


def _build(p: YamlParams, item: Item, i: int) -> Item:
    value = source_value(item, p.field, i)
    text = yaml.safe_dump(
        value, sort_keys=p.sort_keys, allow_unicode=True, default_flow_style=False
    )
    return write_field(item, i, p.field, p.output_field, "yaml", text)


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Parses or builds YAML for every item."""

    def one(item: Item, i: int) -> Item:
        p = ctx.params(i)
        assert isinstance(p, YamlParams)
        return _parse(p, item, i) if p.operation == "parse" else _build(p, item, i)

    return ctx.map(one)
