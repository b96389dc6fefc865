"""Old node versions stay runnable after an upgrade: a workflow pinned to a node's
type_version 1 runs the code of the package version that declared it, new workflows get
version 2; rolling back makes the old package version active again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.marketplace import install as ops
from engine.sdk import get_catalog
from engine.sdk.testing import NodeHarness
from tests.marketplace._helpers import UPPER, built, manifest


def _node(version: int) -> dict[str, Any]:
    return {
        "type": "acme.upper",
        "version": version,
        "title": "Upper",
        "description": "Upper-cases",
        "category": "Transform",
        "run": "main.py:run",
        "params": {
            "type": "object",
            "properties": {
                "field": {"type": "string", "default": "text", "description": "Field to change"}
            },
        },
    }


def test_a_workflow_pinned_to_an_old_node_version_keeps_its_behaviour(
    store: Any, tmp_path: Path
) -> None:
    v1, _ = built(tmp_path / "v1", manifest(nodes=[_node(1)]))
    ops.install(store, v1, allow_unsigned=True)
    v2_code = UPPER.replace(".upper()", '.upper() + "!"')
    v2, _ = built(tmp_path / "v2", manifest(version="2.0.0", nodes=[_node(2)]), code=v2_code)
    ops.install(store, v2, allow_unsigned=True)
    assert get_catalog().versions("acme.upper") == [1, 2]
    old = NodeHarness("acme.upper", 1).run(parameters={"field": "w"}, input=[{"w": "a"}])
    new = NodeHarness("acme.upper").run(parameters={"field": "w"}, input=[{"w": "a"}])
    assert old.json() == [{"w": "A"}] and new.json() == [{"w": "A!"}]
    ops.rollback(store, "acme/text-tools")
    assert ops.uninstall(store, "acme/text-tools")["versions"] == ["1.0.0", "2.0.0"]
    assert get_catalog().versions("acme.upper") == []
