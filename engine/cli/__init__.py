"""The ``aura`` command line (typer + rich)."""

from __future__ import annotations

from engine.cli.app import app, main

__all__ = ["app", "main"]
