"""The built-in core nodes, registered as the ``core`` node package.

Every folder here holding a ``spec.py`` is a node; the list is read from the folder, so a
new node needs no registration beyond its folder. The engine finds this package through
the ``aura.nodes`` entry point ``core = "nodes.core:PACKAGE"`` (``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

from engine.sdk import NodePackage

__all__ = ["NODE_FOLDERS", "PACKAGE"]

NODE_FOLDERS = tuple(sorted(p.parent.name for p in Path(__file__).parent.glob("*/spec.py")))
"""The node folders, read from disk (each has a ``spec.py``)."""

PACKAGE = NodePackage(
    name="core",
    version="1.0.0",
    spec_modules=tuple(f"nodes.core.{f}.spec" for f in NODE_FOLDERS),
    description="AURA's built-in nodes: triggers, flow control, data transforms, HTTP, code.",
    trusted=True,
)
