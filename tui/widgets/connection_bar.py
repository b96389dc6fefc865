"""The line under the navigation: which server, who is signed in, where live events
come from, and, when the server stops answering, the reconnection countdown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from textual.widgets import Static

from tui.connection import ConnectionState

__all__ = ["FEED_LABELS", "ConnectionBar"]

FEED_LABELS = {"stream": "live events", "polling": "events polled", "offline":
               "events offline", "connecting": "events connecting…"}


class ConnectionBar(Static):
    """Follows the app's ``connection`` and ``feed_mode`` reactives."""

    DEFAULT_CSS = """
    ConnectionBar { height: 1; padding: 0 1; background: $boost; color: $text-muted; }
    ConnectionBar.-down { height: auto; background: $error 30%; color: $text;
                          text-style: bold; }
    ConnectionBar.-connecting { background: $warning 20%; color: $text; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "connection", self._refresh_bar, init=True)
        self.watch(self.app, "feed_mode", self._refresh_bar, init=False)

    def _refresh_bar(self, _: Any = None) -> None:
        state: ConnectionState = getattr(self.app, "connection", ConnectionState())
        user = getattr(self.app, "user_label", "")
        self.set_class(state.status == "reconnecting", "-down")
        self.set_class(state.status == "connecting", "-connecting")
        if not state.connected:
            self.update(state.describe())
            return
        host = urlsplit(state.url).netloc or state.url
        feed = FEED_LABELS.get(getattr(self.app, "feed_mode", ""), "")
        parts = [f"● {host}"]
        if user:
            parts.append(user)
        if feed:
            parts.append(feed)
        if state.health is not None and state.health.ready is False:
            parts.append("NOT READY: " + ", ".join(
                f"{k} {v}" for k, v in state.health.checks.items() if v != "ok"))
        self.update(" · ".join(parts))
