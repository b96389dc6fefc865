from __future__ import annotations

from typing import Any

import pytest

from engine.executor import ExecutionResult, Executor, RunRequest
from engine.graph import load_workflow
from engine.sdk.catalog import Catalog, discover_packages
from engine.sdk.items import items_from_json
from tests.executor import _nodes


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    cat = Catalog(discover_packages())
    for s in _nodes.SPECS:
        cat.add(s)
    return cat


@pytest.fixture
def run(catalog: Catalog) -> Any:
    """run(definition, input=None, **request_fields) -> ExecutionResult"""
    _nodes.CALLS.clear()
    _nodes.ORDER.clear()
    _nodes.STARTED.clear()

    def _run(definition: dict[str, Any], input: Any = None, **kw: Any) -> ExecutionResult:
        wf = load_workflow(definition)
        ex = Executor(catalog)
        items = items_from_json(input) if input is not None else None
        return ex.run(RunRequest(workflow=wf, input_items=items, **kw))

    return _run


def wf(*nodes: dict[str, Any], connections: list[Any] = (), **extra: Any) -> dict[str, Any]:
    """Shorthand: nodes as dicts; connections as "A->B" or "A.true->B" or "A->B.input2"."""
    conns = []
    for c in connections:
        if isinstance(c, dict):
            conns.append(c)
            continue
        left, right = c.split("->")
        src, _, out = left.partition(".")
        dst, _, inp = right.partition(".")
        conns.append({"source": src, "output": out or "main", "target": dst,
                      "input": inp or "main"})
    return {"name": extra.pop("name", "test"), "nodes": list(nodes), "connections": conns,
            **extra}


def node(name: str, type_: str, **kw: Any) -> dict[str, Any]:
    params = kw.pop("params", {})
    return {"name": name, "type": type_, "parameters": params, **kw}
