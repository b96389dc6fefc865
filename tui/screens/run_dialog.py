"""The "run a workflow" dialog: edit the input items as JSON, then run.

Accepted input: nothing (the trigger's default), one JSON object (one item) or a list
of objects (one item each; ``{json, binary}`` items are passed through).
"""

from __future__ import annotations

import json
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea

__all__ = ["RunDialog", "parse_items"]


def parse_items(text: str) -> list[dict[str, Any]] | None:
    """The input items in ``text``; None for no input.

    Raises:
        ValueError: not JSON, or not an object or a list of objects (the message says
            which).
    """
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"Not valid JSON: {exc.msg} at line {exc.lineno}, column "
                         f"{exc.colno}.") from None
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list) and all(isinstance(d, dict) for d in data):
        return data or None
    raise ValueError("Give one JSON object, or a list of objects (one item each).")


class RunDialog(ModalScreen[list[dict[str, Any]] | None | bool]):
    """Dismisses with the items to run with (None: no input), or False when cancelled."""

    BINDINGS = [Binding("ctrl+s", "run", "Run", priority=True),
                Binding("escape", "cancel", "Cancel")]

    def __init__(self, workflow_name: str, initial: str = "[\n  {}\n]") -> None:
        super().__init__()
        self.workflow_name = workflow_name
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(id="run-dialog", classes="dialog"):
            yield Label(f"Run [b]{self.workflow_name}[/b] with these input items (JSON):")
            yield TextArea(self.initial, language="json", id="run-input",
                           show_line_numbers=True)
            yield Label("", id="run-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Run (ctrl+s)", variant="primary", id="run-go")
                yield Button("Cancel (esc)", id="run-cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.select_all()
        area.focus()

    @on(Button.Pressed, "#run-go")
    def action_run(self) -> None:
        """Checks the JSON and runs."""
        try:
            items = parse_items(self.query_one(TextArea).text)
        except ValueError as exc:
            self.query_one("#run-error", Label).update(str(exc))
            return
        self.dismiss(items)

    @on(Button.Pressed, "#run-cancel")
    def action_cancel(self) -> None:
        """Closes without running."""
        self.dismiss(False)
