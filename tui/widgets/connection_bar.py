"""The line under the header: who is signed in where, whether the server answers
(with the reconnection countdown when it does not) and where live data comes from."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from tui.connection import ConnectionState

__all__ = ["ConnectionBar"]


class ConnectionBar(Static):
    """Follows the app's ``connection`` and ``feed_mode`` reactives."""

    DEFAULT_CSS = """
    ConnectionBar { height: 1; padding: 0 1; background: $boost; color: $text-muted; }
    ConnectionBar.-down { background: $error 30%; color: $text; text-style: bold; }
    ConnectionBar.-connecting { background: $warning 20%; color: $text; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "connection", self._refresh_bar, init=True)
        self.watch(self.app, "feed_mode", self._refresh_bar, init=False)

    def _refresh_bar(self, _: Any = None) -> None:
        state: ConnectionState = getattr(self.app, "connection", ConnectionState())
        user = getattr(self.app, "user_label", "")
        feed = getattr(self.app, "feed_text", "")
        self.set_class(state.status == "reconnecting", "-down")
        self.set_class(state.status == "connecting", "-connecting")
        parts = [state.describe()]
        if state.connected:
            if user:
                parts.append(f"as {user}")
            if feed:
                parts.append(f"· {feed}")
        self.update(" ".join(parts))
