"""Read-only views behind ``$input`` and ``$node("Name")``, and item dictionaries.

Views hold the context privately; expressions reach them only through the properties and
methods registered in :data:`VIEW_PROPERTIES` / :data:`VIEW_METHODS`. Items are shown as
``{"json": ..., "binary": {name: {mime_type, file_name, file_size}}}`` — binary data
itself is never exposed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.errors import ExpressionError
from engine.sdk.items import Binary, Item

if TYPE_CHECKING:
    from engine.expressions import ExpressionContext
    from engine.expressions._limits import State

__all__ = ["VIEW_METHODS", "VIEW_PROPERTIES", "InputView", "NodeView", "binary_meta",
           "current_item", "item_dict"]

_META_KEYS = ("mime_type", "file_name", "file_size")


def binary_meta(binary: Any) -> dict[str, Any] | None:
    """``{name: {mime_type, file_name, file_size}}`` from Binary objects or dicts."""
    if not binary or not isinstance(binary, dict):
        return None
    out: dict[str, Any] = {}
    for name, b in binary.items():
        if isinstance(b, Binary):
            out[str(name)] = {"mime_type": b.mime_type, "file_name": b.file_name,
                              "file_size": b.file_size}
        elif isinstance(b, dict):
            out[str(name)] = {k: b.get(k) for k in _META_KEYS}
    return out or None


def item_dict(item: Item) -> dict[str, Any]:
    """An item as expressions see it: ``{json}`` plus ``binary`` metadata when present."""
    d: dict[str, Any] = {"json": item.json}
    meta = binary_meta(item.binary) if item.binary else None
    if meta:
        d["binary"] = meta
    return d


def current_item(ctx: ExpressionContext) -> dict[str, Any]:
    """``$item``: the current item of the main input."""
    d: dict[str, Any] = {"json": ctx.json}
    meta = binary_meta(ctx.binary)
    if meta:
        d["binary"] = meta
    return d


class InputView:
    """``$input``: the current node's main input items."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx: ExpressionContext) -> None:
        self._ctx = ctx

    def all(self) -> list[dict[str, Any]]:
        return [item_dict(i) for i in self._ctx.items]

    def to_json(self) -> list[dict[str, Any]]:
        return self.all()


class NodeView:
    """``$node("Name")``: the output of another node, matched to the current item."""

    __slots__ = ("_ctx", "_name")

    def __init__(self, ctx: ExpressionContext, name: str) -> None:
        self._ctx = ctx
        self._name = name

    def executed(self) -> bool:
        rd = self._ctx.run_data
        return bool(rd is not None and rd.has_run(self._name))

    def items(self, port: Any = "main") -> list[Item]:
        if not isinstance(port, str):
            raise ExpressionError("all() takes an output port name such as 'main' or 'true'.")
        rd = self._ctx.run_data
        if rd is None or not rd.has_run(self._name):
            raise ExpressionError(
                f"Node '{self._name}' has not run yet; an expression can only read nodes "
                "that ran before this one. Check the node name and that it is connected "
                "upstream of this node.")
        return rd.output_items(self._name, port)

    def paired(self) -> Item:
        """The item of this node the current item descends from (else same index, first)."""
        items = self.items()
        rd = self._ctx.run_data
        assert rd is not None
        idx = self._ctx.item_index
        it = rd.paired_item(self._name, idx)
        if it is None:
            if not items:
                raise ExpressionError(f"Node '{self._name}' returned no items, so there is "
                                      "no item to read. Use $node(...).is_executed or "
                                      "$node(...).all() to check first.")
            it = items[idx] if 0 <= idx < len(items) else items[0]
        return it

    def to_json(self) -> dict[str, Any]:
        return item_dict(self.paired())


def _first(items: list[dict[str, Any]]) -> Any:
    return items[0] if items else None


def _last(items: list[dict[str, Any]]) -> Any:
    return items[-1] if items else None


def _node_all(st: State, v: NodeView, port: str = "main") -> list[dict[str, Any]]:
    items = v.items(port)
    st.charge(len(items))
    return [item_dict(i) for i in items]


def _input_all(st: State, v: InputView) -> list[dict[str, Any]]:
    st.charge(len(v._ctx.items))
    return v.all()


def _node_at(st: State, v: NodeView, index: Any) -> Any:
    items = v.items()
    if isinstance(index, bool) or not isinstance(index, int):
        raise ExpressionError("item_at() takes an item number (0 is the first).")
    return item_dict(items[index]) if -len(items) <= index < len(items) else None


Prop = Callable[["State", Any], Any]

VIEW_PROPERTIES: dict[str, dict[str, Prop]] = {
    "input": {
        "json": lambda st, v: v._ctx.json,
        "item": lambda st, v: current_item(v._ctx),
        "items": _input_all,
        "length": lambda st, v: len(v._ctx.items),
    },
    "node": {
        "json": lambda st, v: v.paired().json,
        "item": lambda st, v: item_dict(v.paired()),
        "binary": lambda st, v: binary_meta(v.paired().binary),
        "items": _node_all,
        "is_executed": lambda st, v: v.executed(),
        "isExecuted": lambda st, v: v.executed(),
        "name": lambda st, v: v._name,
    },
}

VIEW_METHODS: dict[str, dict[str, Callable[..., Any]]] = {
    "input": {
        "all": _input_all,
        "first": lambda st, v: current_first(v),
        "last": lambda st, v: _last([item_dict(v._ctx.items[-1])] if v._ctx.items else []),
    },
    "node": {
        "all": _node_all,
        "first": lambda st, v, port="main": _first([item_dict(i) for i in v.items(port)[:1]]),
        "last": lambda st, v, port="main": _last([item_dict(i) for i in v.items(port)[-1:]]),
        "paired_item": lambda st, v: item_dict(v.paired()),
        "pairedItem": lambda st, v: item_dict(v.paired()),
        "item_at": _node_at,
    },
}


def current_first(v: InputView) -> Any:
    items = v._ctx.items
    return item_dict(items[0]) if items else None
