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


def test_a_forked_work_horse_reads_the_package_set_at_its_first_run(
    store: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A worker that read the stamp just before another process installed a package
    forks a horse for the next run: the horse finds the new node at once (the worker's
    copy of the stamp would otherwise be trusted for up to live.CHECK_S)."""
    import os
    import time

    from engine.marketplace import live

    assert get_catalog().versions("acme.upper") == []
    data, _ = built(tmp_path / "v1", manifest())
    monkeypatch.setattr(live, "invalidate", lambda: None)  # installed by another process
    ops.install(store, data, allow_unsigned=True)
    live._loaded.checked_at = time.monotonic()  # this process has just read the stamp
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the horse
        try:
            os.write(write, str(get_catalog().versions("acme.upper")).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 100) == b"[1]"
