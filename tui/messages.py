"""Messages the app sends to its screens."""

from __future__ import annotations

from textual.message import Message

from tui.models import Event

__all__ = ["FeedModeChanged", "LiveEvent"]


class LiveEvent(Message, bubble=False):
    """An event from the live feed (the current screen receives it)."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class FeedModeChanged(Message, bubble=False):
    """The live feed switched between stream, polling and offline."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
