"""Importing one n8n node and checking what it became (shared by test_n8n_*_nodes.py)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.interop import import_data
from engine.sdk import get_catalog

__all__ = ["check_family", "one"]


def one(type_: str, version: float, params: dict[str, Any], **extra: Any) -> Any:
    data = {
        "nodes": [
            {
                "name": "N",
                "type": f"n8n-nodes-base.{type_}",
                "typeVersion": version,
                "position": [0, 0],
                "parameters": params,
                **extra,
            }
        ],
        "connections": {},
    }
    [res] = import_data(data, fmt="n8n")
    assert res.workflow is not None, res.report.error
    return res.workflow.node("N"), res.report.nodes[0]


def check_family(
    type_: str, version: float, params: dict[str, Any], target: str, expected: dict[str, Any]
) -> None:
    """Imports one node and checks it became ``target`` with the ``expected`` parameters."""
    if target not in {spec.type for spec in get_catalog().all()}:
        pytest.skip(f"{target} is not installed")
    node, report = one(type_, version, params)
    assert node.type == target, report.notes
    for key, value in expected.items():
        assert node.parameters.get(key) == value, (key, node.parameters)
