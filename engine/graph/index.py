"""An indexed, read-only view of a workflow's connections for fast traversal."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from engine.graph.model import Connection, NodeDef, Workflow

__all__ = ["Graph"]


@dataclass
class Graph:
    """Parents and children of each node, in connection order."""

    workflow: Workflow
    nodes: dict[str, NodeDef] = field(init=False)
    outgoing: dict[str, list[Connection]] = field(init=False)
    incoming: dict[str, list[Connection]] = field(init=False)

    def __post_init__(self) -> None:
        self.nodes = {n.name: n for n in self.workflow.nodes}
        self.outgoing = defaultdict(list)
        self.incoming = defaultdict(list)
        for c in self.workflow.connections:
            self.outgoing[c.source].append(c)
            self.incoming[c.target].append(c)

    def parents(self, name: str) -> list[str]:
        return list(dict.fromkeys(c.source for c in self.incoming.get(name, ())))

    def children(self, name: str) -> list[str]:
        return list(dict.fromkeys(c.target for c in self.outgoing.get(name, ())))

    def ancestors(self, name: str) -> set[str]:
        seen: set[str] = set()
        stack = [name]
        while stack:
            for p in self.parents(stack.pop()):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return seen

    def descendants(self, names: list[str] | set[str]) -> set[str]:
        seen: set[str] = set(names)
        stack = list(names)
        while stack:
            for c in self.children(stack.pop()):
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
        return seen

    def roots(self) -> list[str]:
        """Nodes with no incoming connection, in workflow order."""
        return [n.name for n in self.workflow.nodes if not self.incoming.get(n.name)]

    def find_cycle(self) -> list[str] | None:
        """One cycle as a list of node names (first repeated at the end), or None."""
        white, grey, black = 0, 1, 2
        color = dict.fromkeys(self.nodes, white)
        for start in self.nodes:
            if color[start] != white:
                continue
            path: list[str] = []
            stack: list[tuple[str, int]] = [(start, 0)]
            while stack:
                node, i = stack.pop()
                if i == 0:
                    color[node] = grey
                    path.append(node)
                kids = [k for k in self.children(node) if k in color]
                if i < len(kids):
                    stack.append((node, i + 1))
                    k = kids[i]
                    if color[k] == grey:
                        return [*path[path.index(k):], k]
                    if color[k] == white:
                        stack.append((k, 0))
                else:
                    color[node] = black
                    path.pop()
        return None
