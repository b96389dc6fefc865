"""Runs every node case file ``tests/nodes/<folder>/cases/*.json`` through the harness.

A case gives parameters and input items, and either the expected JSON of each output
port or the expected error. Only the ``json`` of items is compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.sdk.testing import NodeHarness

HERE = Path(__file__).parent
CASES = sorted(HERE.glob("*/cases/*.json"))


def _type_for(folder: str) -> str:
    return "core." + folder.rstrip("_")


def _as_json(items: list[Any]) -> list[Any]:
    out = []
    for x in items:
        if isinstance(x, dict) and set(x) <= {"json", "binary", "paired_item"} and "json" in x:
            out.append(x["json"])
        else:
            out.append(x)
    return out


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.parent.name}/{p.stem}" for p in CASES])
def test_case(path: Path) -> None:
    case = json.loads(path.read_text())
    node = case.get("node", {})
    harness = NodeHarness(node.get("type", _type_for(path.parent.parent.name)),
                          node.get("version"))
    res = harness.run(
        case.get("parameters", {}), case.get("input"),
        credentials=case.get("credentials"), on_error=case.get("on_error", "stop"),
        vars=case.get("vars"), run_data=case.get("run_data"),
        timezone=case.get("timezone", "UTC"),
        execute_once=case.get("execute_once", False),
        always_output_data=case.get("always_output_data", False),
    )
    if "error" in case:
        assert res.error is not None, f"expected an error, got outputs {res.outputs}"
        exp = case["error"]
        if "type" in exp:
            got_type = getattr(res.error, "error_type", type(res.error).__name__)
            assert exp["type"] in (got_type, type(res.error).__name__), res.error
        if "contains" in exp:
            assert exp["contains"].lower() in res.error.message.lower(), res.error.message
        return
    assert res.error is None, f"unexpected error: {res.error}"
    expected = case["expected"]
    for port, items in expected.items():
        assert res.json(port) == _as_json(items), f"port {port!r}"
    for port, items in res.outputs.items():
        if port not in expected:
            assert not items, f"unexpected items on port {port!r}: {res.json(port)}"
    if "webhook_response" in case:
        got = res.webhook_response or {}
        for key, value in case["webhook_response"].items():
            assert got.get(key) == value, f"webhook_response[{key!r}]: {got.get(key)!r}"
