"""Live previews of ``{{ expressions }}`` in the parameter form, from the last run's data.

An expression of node N is evaluated for N's first input item of the last run (or, when
N has not run, the first output item of the node feeding it), with ``$node("X")``
reading the outputs the last run recorded. Without any run data, ``$json`` is empty and
the preview says so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.graph.messages import param_path
from engine.sdk.items import Item

__all__ = ["input_items", "preview_all"]

MAX_PREVIEW = 300


class _RunData:
    """``RunDataAccess`` over the editor's last-run data (items as dicts)."""

    def __init__(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data

    def has_run(self, node: str) -> bool:
        return node in self.data

    def output_items(self, node: str, port: str = "main") -> list[Item]:
        outs = (self.data.get(node) or {}).get("outputs") or {}
        items = outs.get(port)
        if items is None and port == "main":
            items = next((v for v in outs.values() if v), [])
        return [Item.from_dict(i) for i in items or []]

    def paired_item(self, node: str, item_index: int) -> Item | None:
        items = self.output_items(node)
        if not items:
            return None
        return items[item_index] if item_index < len(items) else items[0]


def _as_item(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) and "json" in raw else {"json": raw}


def input_items(
    wf: dict[str, Any], name: str, data: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The main input items node ``name`` got in the last run, or would get now: the
    outputs the nodes feeding it recorded, or the data pinned on them."""
    mine = (data.get(name) or {}).get("inputs") or {}
    if mine.get("main") or mine:
        return list(mine.get("main") or next(iter(mine.values()), []))
    pinned = wf.get("pinned_data") or {}
    items: list[dict[str, Any]] = []
    for c in wf["connections"]:
        if c["target"] == name and c.get("input", "main") in ("main", "input1"):
            outs = (data.get(c["source"]) or {}).get("outputs") or {}
            if not outs and c["source"] in pinned:
                outs = {"main": [_as_item(i) for i in pinned[c["source"]] or []]}
            items.extend(outs.get(c.get("output", "main")) or [])
    return items


def _show(value: Any) -> str:
    import json

    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = str(value)
    return text if len(text) <= MAX_PREVIEW else text[: MAX_PREVIEW - 1] + "…"


def _leaves(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)] if "{{" in value else []
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _leaves(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _leaves(v, f"{path}.{i}")]
    return []


def preview_all(
    wf: dict[str, Any],
    name: str,
    params: dict[str, Any],
    data: dict[str, dict[str, Any]],
    variables: dict[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """``{path: {ok, text}}`` for every expression in ``params``."""
    leaves = _leaves(params, "")
    if not leaves:
        return {}
    try:
        from engine.services.expressions import ExpressionContext, evaluate
    except ImportError:  # the expression engine is not installed in this build
        return {p: {"ok": False, "text": "Previews need the expression engine."} for p, _ in leaves}
    items = [Item.from_dict(i) for i in input_items(wf, name, data)]
    first = items[0] if items else None
    ctx = ExpressionContext(
        json=first.json if first else {},
        item_index=0,
        items=items,
        node_name=name,
        run_data=_RunData(data),
        vars=dict(variables or {}),
        timezone=(wf.get("settings") or {}).get("timezone", "UTC"),
        now=datetime.now(UTC),
        workflow={"id": wf.get("id"), "name": wf.get("name"), "active": False},
        execution={"id": None, "mode": "manual", "resume_url": None},
    )
    out: dict[str, dict[str, Any]] = {}
    for path, text in leaves:
        try:
            value = evaluate(text, ctx, node=name, parameter=param_path(path))
            if not items and value is None:
                out[path] = {"ok": True, "pending": True, "text": _NO_DATA}
                continue
            shown = _show(value)
            if not items:
                shown += "  (no input data yet: run the previous nodes to preview real items)"
            out[path] = {"ok": True, "text": shown}
        except Exception as exc:
            problem = getattr(exc, "message", None) or str(exc)
            if not items and "syntax" not in problem.lower():
                # without input data most expressions fail on an empty $json: not a
                # mistake of the user's, so no red
                out[path] = {"ok": True, "pending": True, "text": _NO_DATA}
            else:
                out[path] = {"ok": False, "text": problem}
    return out


_NO_DATA = "Shown once there is input data: run the previous nodes, or pin data on them."
