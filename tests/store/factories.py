"""Small builders shared by the store tests."""

from __future__ import annotations

from engine.graph import NodeDef, Workflow


def make_workflow(name: str = "Orders", *nodes: str, tags: list[str] | None = None,
                  description: str = "") -> Workflow:
    """A small valid workflow definition with nodes of the given names."""
    return Workflow(name=name, description=description, tags=tags or [],
                    nodes=[NodeDef(name=n, type="core.noop") for n in nodes or ("Start",)])
