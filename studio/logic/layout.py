"""Tidy-up: a layered left-to-right layout of the workflow graph.

Nodes go into columns by their longest distance from a start node; within a column they
are ordered by the average row of their parents (a few barycentre sweeps), then stacked.
Separate groups of connected nodes are laid out one under the other. Sticky notes stay.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from studio.logic.canvas import NODE_W, node_height
from studio.logic.specs import output_ports, spec_dict

__all__ = ["tidy"]

COL_GAP = 100
ROW_GAP = 48
GROUP_GAP = 120


def _components(names: list[str], nbrs: dict[str, set[str]]) -> list[list[str]]:
    seen: set[str] = set()
    out = []
    for start in names:
        if start in seen:
            continue
        comp, stack = [], [start]
        seen.add(start)
        while stack:
            cur = stack.pop()
            comp.append(cur)
            for k in nbrs[cur]:
                if k not in seen:
                    seen.add(k)
                    stack.append(k)
        order = {n: i for i, n in enumerate(names)}
        out.append(sorted(comp, key=order.__getitem__))
    return out


def tidy(wf: dict[str, Any], origin: tuple[float, float] = (0, 0)) -> None:
    """Rewrites every node's position (in place)."""
    nodes = {n["name"]: n for n in wf["nodes"]}
    names = list(nodes)
    parents: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    nbrs: dict[str, set[str]] = defaultdict(set)
    for c in wf["connections"]:
        if c["source"] in nodes and c["target"] in nodes:
            parents[c["target"]].append(c["source"])
            children[c["source"]].append(c["target"])
            nbrs[c["source"]].add(c["target"])
            nbrs[c["target"]].add(c["source"])
    heights = {}
    for name, n in nodes.items():
        info = spec_dict(n["type"], n.get("type_version", 1))
        heights[name] = node_height(len(info["inputs"]), len(output_ports(n)))
    top = origin[1]
    for comp in _components(names, nbrs):
        layer = _layers(comp, parents, children)
        cols: dict[int, list[str]] = defaultdict(list)
        for name in comp:
            cols[layer[name]].append(name)
        _order(cols, parents, children)
        col_h = {c: sum(heights[n] for n in ns) + ROW_GAP * (len(ns) - 1)
                 for c, ns in cols.items()}
        tallest = max(col_h.values())
        for c, ns in cols.items():
            y = top + (tallest - col_h[c]) / 2
            for name in ns:
                nodes[name]["position"] = [round(origin[0] + c * (NODE_W + COL_GAP)),
                                           round(y)]
                y += heights[name] + ROW_GAP
        top += tallest + GROUP_GAP


def _layers(comp: list[str], parents: dict[str, list[str]],
            children: dict[str, list[str]]) -> dict[str, int]:
    indeg = {n: len(parents[n]) for n in comp}
    layer = dict.fromkeys(comp, 0)
    ready = [n for n in comp if indeg[n] == 0]
    done = 0
    while ready:
        cur = ready.pop(0)
        done += 1
        for k in children[cur]:
            layer[k] = max(layer[k], layer[cur] + 1)
            indeg[k] -= 1
            if indeg[k] == 0:
                ready.append(k)
    return layer  # a cycle (invalid workflow) leaves its nodes where they got to


def _order(cols: dict[int, list[str]], parents: dict[str, list[str]],
           children: dict[str, list[str]]) -> None:
    idx = {n: i for ns in cols.values() for i, n in enumerate(ns)}
    keys = sorted(cols)
    for sweep in range(4):
        seq = keys[1:] if sweep % 2 == 0 else list(reversed(keys[:-1]))
        for c in seq:
            rel = parents if sweep % 2 == 0 else children

            def bary(n: str, rel: dict[str, list[str]] = rel) -> float:
                ps = [idx[p] for p in rel[n] if p in idx]
                return sum(ps) / len(ps) if ps else idx[n]

            cols[c].sort(key=bary)
            for i, n in enumerate(cols[c]):
                idx[n] = i
