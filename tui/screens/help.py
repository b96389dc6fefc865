"""Help (``?`` or F1): every key of the screen underneath and of the whole console,
derived from their ``BINDINGS`` (never written twice), plus a word on the palette."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

__all__ = ["HelpScreen", "bindings_table"]

INTRO = ("AURA operator console. Keys 1-7 switch screens, ctrl+p opens the command "
         "palette (go to a screen, open a workflow or an execution, theme, sign out), "
         "ctrl+t toggles light/dark, ctrl+r reconnects now, ctrl+q quits. "
         "Tab moves between widgets; escape goes back.")


def bindings_table(owner: Any) -> Table:
    """A table of ``owner``'s class bindings (shown and hidden ones)."""
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column("Key", style="bold cyan", no_wrap=True)
    table.add_column("Action")
    seen: set[str] = set()
    for binding in Binding.make_bindings(getattr(owner, "BINDINGS", [])):
        if binding.action in seen or not binding.description:
            continue
        seen.add(binding.action)
        keys = ", ".join(binding.key_display or k for k in binding.key.split(","))
        table.add_row(keys.replace("question_mark", "?").replace("slash", "/"),
                      binding.description)
    return table


class HelpScreen(ModalScreen[None]):
    """Shows the keys; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        from tui.app import AuraConsole

        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static(Text(INTRO), id="help-intro")
            title = getattr(self.under, "TITLE_TEXT", "") or type(self.under).__name__
            yield Static(Text(f"This screen: {title}", style="bold"), classes="help-title")
            yield Static(bindings_table(type(self.under)))
            yield Static(Text("Everywhere", style="bold"), classes="help-title")
            yield Static(bindings_table(AuraConsole))
            yield Static(Text("escape closes this help", style="dim"))
