"""The console's screens: one module per screen, plus small dialogs."""

from __future__ import annotations

__all__: list[str] = []
