"""The references of the docs site generated from code on every ``aura docs build``:
nodes (from the node specs), the CLI (from the Typer app), the HTTP API (from its
OpenAPI document); the settings reference is :mod:`engine.config_reference`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["write_all"]


def write_all(pages: Path) -> list[dict[str, Any]]:
    """Writes every generated reference under ``pages``; returns their navigation
    entries (after the settings page)."""
    from engine.docsref import api, cli, nodes

    return [
        {"Nodes": nodes.write(pages)},
        {"CLI": cli.write(pages)},
        {"HTTP API": api.write(pages)},
    ]
