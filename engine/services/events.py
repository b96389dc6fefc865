"""Following live execution events: the service API of :mod:`engine.events` for the
HTTP layer (a live stream, its replay after a reconnect, and the recent ones)."""

from __future__ import annotations

from engine.events import AsyncSubscription, asubscribe, recent, replay_after

__all__ = ["AsyncSubscription", "asubscribe", "heartbeat_s", "recent", "replay_after"]


def heartbeat_s() -> float:
    """How often a quiet event stream sends a keep-alive (``AURA_EVENTS_HEARTBEAT_S``)."""
    from engine.events.bus import event_settings

    return float(event_settings().heartbeat_s)
