"""The top line: the console's name, the five main screens with their keys (the current
one highlighted, each clickable) and what the current screen shows."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

__all__ = ["NavBar"]

SCREENS = [("dashboard", "Dashboard"), ("workflows", "Workflows"),
           ("executions", "Executions"), ("queues", "Queues"), ("logs", "Logs"),
           ("agents", "Agents")]
"""The screens, in the order of their keys (1-6); the app's modes follow it."""


class NavBar(Static):
    """Rendered from the app's current mode and the screen's sub-title."""

    DEFAULT_CSS = """
    NavBar { height: 1; background: $primary 30%; color: $text; padding: 0 1; }
    """

    def __init__(self, mode: str = "", detail: str = "") -> None:
        super().__init__()
        self.mode = mode
        self.detail = detail

    def on_mount(self) -> None:
        self.show(self.mode, self.detail)

    def show(self, mode: str, detail: str = "") -> None:
        """Highlights ``mode``; ``detail`` goes at the end (e.g. the execution shown)."""
        self.mode, self.detail = mode, detail
        parts = [Content.from_markup("[b]AURA[/b] ")]
        for i, (name, title) in enumerate(SCREENS, 1):
            style = "reverse bold " if name == mode else ""
            parts.append(Content.from_markup(
                f"[{style}@click=app.show('{name}')] {i} {title} [/]"))
        if detail and not detail.startswith(dict(SCREENS).get(mode, "\0")):
            parts.append(Content.from_markup(" │ $detail", detail=detail))
        self.update(Content("").join(parts))
