"""Executions (key 3): the newest executions, live.

Live means: reloaded on every event of the server's event stream when it has one,
otherwise every 2 s (the feed's poll interval). Filters by status and workflow; enter
opens the detail; retry, cancel and delete act on the highlighted execution.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Label, Select

from tui.messages import FeedModeChanged, LiveEvent
from tui.metrics import format_duration
from tui.models import ExecutionSummary
from tui.screens import execution_actions as actions
from tui.screens.base import ConsoleScreen
from tui.widgets.status_badge import status_text

__all__ = ["STATUSES", "ExecutionsScreen"]

STATUSES = ["queued", "running", "waiting", "succeeded", "failed", "cancelled", "crashed"]
PAGE = 100
NAME_MAX = 28  # longer workflow names end in "…" in the list
ERROR_MIN = 12


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _when(at: datetime | None) -> str:
    return at.astimezone().strftime("%m-%d %H:%M:%S") if at else "-"


class ExecutionsScreen(ConsoleScreen):
    """The live execution list."""

    TITLE_TEXT = "Executions"
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("slash", "focus_filter", "Filter"),
        Binding("R", "retry", "Retry"),
        Binding("c", "cancel", "Cancel"),
        Binding("x,delete", "delete", "Delete"),
        Binding("0", "clear_filters", "All"),
        Binding("escape", "focus_table", "List", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ExecutionSummary] = []
        self.status_filter: str | None = None
        self.workflow_filter: str | None = None
        self._workflow_names: dict[str, str] = {}
        self._selects_stale = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="ex-filters", classes="filters"):
            yield Select([(s, s) for s in STATUSES], prompt="All statuses", id="ex-status")
            yield Select([], prompt="All workflows", id="ex-workflow")
        yield DataTable(id="ex-table", cursor_type="row", zebra_stripes=True)
        yield Label("", id="ex-error", classes="note error-line")
        yield Label("", id="ex-info", classes="note")

    def on_mount(self) -> None:
        super().on_mount()
        # what tells runs apart comes first; at 80 columns the error is cut to fit the
        # screen and the highlighted run's whole error shows under the table
        self.query_one("#ex-table", DataTable).add_columns(
            "Status", "Workflow", "Created", "Duration", "Error", "Mode", "Try", "Id"
        )
        self.query_one("#ex-table", DataTable).focus()
        self.every(self.aura.poll_interval, self._tick)

    def _tick(self) -> None:
        if self.aura.feed_mode != "stream":
            self.refresh_data()

    def on_live_event(self, message: LiveEvent) -> None:
        if message.event.type.startswith(("execution.", "node.")):
            self.refresh_soon()

    def on_feed_mode_changed(self, message: FeedModeChanged) -> None:
        self._show_info()

    # -- filters ----------------------------------------------------------------------
    # The selects are the filters' view. A filter set from code (the workflows screen,
    # key 0) marks the selects stale and the next reload shows it; a reload never writes
    # a select otherwise, so a poll landing while the user picks a value cannot undo it.
    # A select's Changed event reads the select's value now (set_options posts a NULL
    # before the value is put back) and does nothing when that filter is applied.
    def filter_workflow(self, workflow_id: str | None) -> None:
        """Shows only ``workflow_id``'s executions (None: all)."""
        self.workflow_filter = workflow_id
        self._selects_stale = True
        self.refresh_data()

    def filter_status(self, status: str | None) -> None:
        """Shows only executions in ``status`` (None: all)."""
        self.status_filter = status
        self._selects_stale = True
        self.refresh_data()

    @on(Select.Changed, "#ex-status")
    def _status_changed(self, event: Select.Changed) -> None:
        value = None if event.select.value is Select.NULL else str(event.select.value)
        if value != self.status_filter:
            self.status_filter = value
            self.refresh_data()

    @on(Select.Changed, "#ex-workflow")
    def _workflow_changed(self, event: Select.Changed) -> None:
        value = None if event.select.value is Select.NULL else str(event.select.value)
        if value != self.workflow_filter:
            self.workflow_filter = value
            self.refresh_data()

    def _sync_selects(self, options_changed: bool) -> None:
        """Makes the selects show the filters set from code and the workflows' names."""
        if not (options_changed or self._selects_stale):
            return
        self._selects_stale = False
        wf = self.query_one("#ex-workflow", Select)
        status = self.query_one("#ex-status", Select)
        if options_changed:
            options = sorted(self._workflow_names.items(), key=lambda kv: kv[1].lower())
            wf.set_options([(name, wid) for wid, name in options])
        wf.value = (
            self.workflow_filter if self.workflow_filter in self._workflow_names else Select.NULL
        )
        status.value = self.status_filter if self.status_filter in STATUSES else Select.NULL

    # -- data -------------------------------------------------------------------------
    @property
    def selected(self) -> ExecutionSummary | None:
        """The highlighted execution."""
        table = self.query_one("#ex-table", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    async def reload(self) -> None:
        if not self._workflow_names or (
            self.workflow_filter and self.workflow_filter not in self._workflow_names
        ):
            page = await self.client.workflows(limit=500)
            self._workflow_names = {w.id: w.name for w in page.items}
            self._sync_selects(True)
        else:
            self._sync_selects(False)
        asked = (self.status_filter, self.workflow_filter)
        result = await self.client.executions(status=asked[0], workflow_id=asked[1], limit=PAGE)
        if asked != (self.status_filter, self.workflow_filter):
            return  # the filters changed meanwhile: the reload they asked for shows them
        keep = self.selected.id if self.selected else None
        self.rows = result.items
        self.total = result.total
        self._fill_table(keep)

    def _fill_table(self, keep: str | None) -> None:
        table = self.query_one("#ex-table", DataTable)
        table.clear()
        names = [_clip(ex.workflow_name, NAME_MAX) for ex in self.rows]
        # Status 11, Created 14, Duration 8, and two cells of padding per column
        room = self.size.width - 2 - 11 - max(map(len, names), default=8) - 14 - 8 - 10
        for ex, name in zip(self.rows, names, strict=True):
            table.add_row(
                status_text(ex.status),
                Text(name, style="bold"),
                _when(ex.created_at),
                format_duration(ex.duration_ms),
                Text(_clip(ex.error_message, max(ERROR_MIN, room)), style="red"),
                ex.mode,
                str(ex.attempt),
                ex.id[:8],
                key=ex.id,
            )
        ids = [e.id for e in self.rows]
        if keep in ids:
            table.move_cursor(row=ids.index(keep), animate=False)
        self._show_info()
        self._show_error()

    def on_resize(self) -> None:
        if self.rows:
            self._fill_table(self.selected.id if self.selected else None)

    @on(DataTable.RowHighlighted, "#ex-table")
    def _show_error(self) -> None:
        """The highlighted run's whole error, under the table."""
        ex = self.selected
        line = self.query_one("#ex-error", Label)
        line.update(
            Text(f"{ex.id[:8]}: {ex.error_message}", style="red")
            if ex is not None and ex.error_message
            else ""
        )
        line.display = bool(ex is not None and ex.error_message)

    def _show_info(self) -> None:
        total = getattr(self, "total", 0)
        shown = f"{len(self.rows)} of {total}" if total > len(self.rows) else str(total)
        parts = [f"{shown} execution(s)"]
        if self.status_filter:
            parts.append(f"status {self.status_filter}")
        if self.workflow_filter:
            parts.append(f"workflow {self._workflow_names.get(self.workflow_filter, '?')}")
        feed = self.aura.feed_text
        self.query_one("#ex-info", Label).update(
            " · ".join(parts) + (f"  — {feed}" if feed else "")
        )

    # -- actions ----------------------------------------------------------------------
    @on(DataTable.RowSelected, "#ex-table")
    def action_open(self) -> None:
        """Opens the highlighted execution."""
        from tui.screens.execution_detail import ExecutionDetailScreen

        ex = self.selected
        if ex is not None:
            self.app.push_screen(ExecutionDetailScreen(ex.id))

    def action_focus_filter(self) -> None:
        """Moves to the status filter."""
        self.query_one("#ex-status", Select).focus()

    def action_focus_table(self) -> None:
        """Back to the list."""
        self.query_one("#ex-table", DataTable).focus()

    def action_clear_filters(self) -> None:
        """Shows every execution again."""
        self.status_filter = None
        self.workflow_filter = None
        self._selects_stale = True
        self.refresh_data()

    def action_retry(self) -> None:
        """Runs the highlighted execution again."""
        if self.selected is not None:
            actions.retry(self, self.selected.id)

    def action_cancel(self) -> None:
        """Stops the highlighted execution."""
        if self.selected is not None:
            actions.cancel(self, self.selected.id)

    def action_delete(self) -> None:
        """Deletes the highlighted execution (after a confirmation)."""
        if self.selected is not None:
            actions.delete(self, self.selected.id)
