"""The top line: the console's name, the five main screens with their keys (the current
one highlighted, each clickable) and what the current screen shows."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

__all__ = ["NavBar"]

SCREENS = [
    ("dashboard", "Dashboard"),
    ("workflows", "Workflows"),
    ("executions", "Executions"),
    ("queues", "Queues"),
    ("logs", "Logs"),
    ("agents", "Agents"),
    ("knowledge", "Knowledge"),
]
"""The screens, in the order of their keys (1-7); the app's modes follow it."""


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

    def on_resize(self) -> None:
        self.show(self.mode, self.detail)

    def show(self, mode: str, detail: str = "") -> None:
        """Highlights ``mode``; ``detail`` goes at the end (e.g. the execution shown).
        When the full bar is wider than the screen (80 columns), it drops the name
        AURA and the spaces around each screen's title."""
        self.mode, self.detail = mode, detail
        width = (self.size.width or self.app.size.width) - 2
        compact = width < len("AURA ") + sum(
            len(f" {i} {t} ") for i, (_, t) in enumerate(SCREENS, 1)
        )
        parts = [] if compact else [Content.from_markup("[b]AURA[/b] ")]
        for i, (name, title) in enumerate(SCREENS, 1):
            style = "reverse bold " if name == mode else ""
            label = f"{i} {title} " if compact else f" {i} {title} "
            parts.append(Content.from_markup(f"[{style}@click=app.show('{name}')]{label}[/]"))
        if detail and not detail.startswith(dict(SCREENS).get(mode, "\0")):
            parts.append(Content.from_markup(" │ $detail", detail=detail))
        self.update(Content("").join(parts))
