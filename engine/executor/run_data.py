"""Run data of one execution: every node's inputs and outputs, and item lineage.

Lineage answers "which item of node X does this item come from?" for
``$node("X").item``: each delivered input item remembers the output slot it came
from, and each output item's ``paired_item`` points back at an input item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.sdk.items import Item

__all__ = ["RunData", "Source"]

Source = tuple[str, str, int]  # (source node, source output port, index in that output)


@dataclass
class RunData:
    outputs: dict[str, dict[str, list[Item]]] = field(default_factory=dict)
    inputs: dict[str, dict[str, list[Item]]] = field(default_factory=dict)
    sources: dict[str, dict[str, list[Source]]] = field(default_factory=dict)
    input_port_names: dict[str, list[str]] = field(default_factory=dict)

    def deliver(self, target: str, port: str, source: str, out_port: str,
                items: list[Item]) -> None:
        """Appends ``items`` (the output ``out_port`` of ``source``) to ``target.port``."""
        self.inputs.setdefault(target, {}).setdefault(port, []).extend(items)
        self.sources.setdefault(target, {}).setdefault(port, []).extend(
            (source, out_port, i) for i in range(len(items)))

    # -- RunDataAccess (used by expressions) ----------------------------------
    def has_run(self, node: str) -> bool:
        return node in self.outputs

    def output_items(self, node: str, port: str = "main") -> list[Item]:
        ports = self.outputs.get(node, {})
        if port in ports:
            return ports[port]
        if port == "main" and ports:
            # IF/Switch nodes: the first non-empty output stands in for "main"
            return next((v for v in ports.values() if v), [])
        return []

    def paired_item_from(self, current: str, item_index: int, node: str) -> Item | None:
        """The output item of ``node`` that input item ``item_index`` of ``current`` (main)
        descends from, following lineage upstream; None if no lineage leads there."""
        cur_node, cur_port, cur_idx = current, "main", item_index
        for _ in range(10_000):
            srcs = self.sources.get(cur_node, {}).get(cur_port)
            if not srcs or cur_idx >= len(srcs):
                return None
            src_node, out_port, j = srcs[cur_idx]
            outs = self.outputs.get(src_node, {}).get(out_port, [])
            if j >= len(outs):
                return None
            item = outs[j]
            if src_node == node:
                return item
            if not item.paired_item:
                return None
            pi = item.paired_item[0]
            ports = self.input_port_names.get(src_node) or ["main"]
            cur_node = src_node
            cur_port = ports[pi.input] if pi.input < len(ports) else ports[0]
            cur_idx = pi.item
        return None


class RunDataView:
    """Adapts :class:`RunData` to the expressions' ``RunDataAccess`` for one node."""

    __slots__ = ("current", "data")

    def __init__(self, data: RunData, current: str) -> None:
        self.data = data
        self.current = current

    def has_run(self, node: str) -> bool:
        return self.data.has_run(node)

    def output_items(self, node: str, port: str = "main") -> list[Item]:
        return self.data.output_items(node, port)

    def paired_item(self, node: str, item_index: int) -> Item | None:
        return self.data.paired_item_from(self.current, item_index, node)
