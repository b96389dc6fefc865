"""Workflows (key 2): list and filter, activate and deactivate, run with JSON input, and
the highlighted workflow's definition as a tree (flow from the triggers, then nodes
with their parameters)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select

from tui.models import WorkflowSummary
from tui.screens.base import ConsoleScreen
from tui.screens.run_dialog import RunDialog
from tui.widgets.status_badge import status_text
from tui.widgets.workflow_tree import WorkflowTree

__all__ = ["WorkflowsScreen"]

ACTIVE_CHOICES = [("All workflows", "all"), ("Active", "active"), ("Inactive", "inactive")]


def _when(wf: WorkflowSummary) -> str:
    return wf.updated_at.astimezone().strftime("%m-%d %H:%M") if wf.updated_at else "-"


class WorkflowsScreen(ConsoleScreen):
    """The workflow list with its actions."""

    TITLE_TEXT = "Workflows"
    BINDINGS = [
        Binding("slash", "focus_search", "Filter"),
        Binding("a", "set_active(True)", "Activate"),
        Binding("d", "set_active(False)", "Deactivate"),
        Binding("r", "run", "Run"),
        Binding("e", "executions", "Executions"),
        Binding("t", "focus_tree", "Tree"),
        Binding("escape", "focus_table", "List", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[WorkflowSummary] = []
        self._pending: str | None = None
        self._debounce: Timer | None = None
        self._shown_definition = ""

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="wf-filters", classes="filters"):
            yield Input(placeholder="/ filter by name or description", id="wf-search")
            yield Select(ACTIVE_CHOICES, value="all", allow_blank=False, id="wf-active")
        with Horizontal(id="wf-main", classes="split"):
            yield DataTable(id="wf-table", cursor_type="row", zebra_stripes=True)
            yield WorkflowTree(id="wf-tree")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#wf-table", DataTable).add_columns(
            "Name", "State", "Updated", "Ver", "Published", "Tags")  # tags may run off
        self.query_one("#wf-table", DataTable).focus()

    # -- data -------------------------------------------------------------------------
    @property
    def selected(self) -> WorkflowSummary | None:
        """The highlighted workflow."""
        table = self.query_one("#wf-table", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    async def reload(self) -> None:
        search = self.query_one("#wf-search", Input).value.strip() or None
        choice = self.query_one("#wf-active", Select).value
        active = None if choice == "all" else choice == "active"
        page = await self.client.workflows(search=search, active=active)
        keep = self._pending or (self.selected.id if self.selected else None)
        self._pending = None
        self.rows = page.items
        table = self.query_one("#wf-table", DataTable)
        table.clear()
        for wf in self.rows:
            table.add_row(Text(wf.name, style="bold"),
                          status_text("active" if wf.active else "inactive"), _when(wf),
                          f"v{wf.version}", "yes" if wf.published else "no",
                          ", ".join(wf.tags), key=wf.id)
        ids = [w.id for w in self.rows]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        if not self.rows:
            self.query_one(WorkflowTree).show("(no workflows match)", {})
            self._shown_definition = ""
        else:
            self._load_definition()

    def select_workflow(self, workflow_id: str) -> None:
        """Highlights ``workflow_id`` once the list is loaded (used by the palette)."""
        ids = [w.id for w in self.rows]
        if workflow_id in ids:
            self.query_one("#wf-table", DataTable).move_cursor(row=ids.index(workflow_id))
        else:
            self._pending = workflow_id

    def _load_definition(self) -> None:
        wf = self.selected
        if wf is not None and wf.id != self._shown_definition:
            self._show_definition(wf.id)

    @work(group="definition", exclusive=True)
    async def _show_definition(self, workflow_id: str) -> None:
        wf = await self.guard(self.client.workflow(workflow_id))
        if wf is None:
            return
        self._shown_definition = workflow_id
        self.query_one(WorkflowTree).show(f"{wf.name}  (v{wf.version})", wf.definition)

    # -- events -----------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#wf-table")
    def _highlighted(self) -> None:
        self._load_definition()

    @on(DataTable.RowSelected, "#wf-table")
    def _selected(self) -> None:
        self.action_focus_tree()

    @on(Input.Changed, "#wf-search")
    def _search_changed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.3, self.refresh_data)

    @on(Input.Submitted, "#wf-search")
    def _search_submitted(self) -> None:
        self.refresh_data()
        self.action_focus_table()

    @on(Select.Changed, "#wf-active")
    def _active_changed(self) -> None:
        self.refresh_data()

    # -- actions ----------------------------------------------------------------------
    def action_focus_search(self) -> None:
        """Moves to the filter box."""
        self.query_one("#wf-search", Input).focus()

    def action_focus_table(self) -> None:
        """Back to the list."""
        self.query_one("#wf-table", DataTable).focus()

    def action_focus_tree(self) -> None:
        """Moves to the definition tree."""
        self.query_one(WorkflowTree).focus()

    def action_set_active(self, active: bool) -> None:
        """Activates or deactivates the highlighted workflow."""
        wf = self.selected
        if wf is not None:
            self.run_worker(self.guard(self._set_active(wf, active)), group="action")

    async def _set_active(self, wf: WorkflowSummary, active: bool) -> None:
        result: dict[str, Any] = await self.client.set_active(wf.id, active)
        hooks = len(result.get("webhooks") or [])
        state = "activated" if active else "deactivated"
        extra = f" ({hooks} webhook(s))" if active and hooks else ""
        if result.get("notice"):  # active, but nothing listens: say so, and why
            self.notify(f"{wf.name} {state}. {result['notice']}", severity="warning",
                        timeout=10)
        else:
            self.notify(f"{wf.name} {state}{extra}.", timeout=3)
        await self.reload()

    def action_run(self) -> None:
        """Asks for input items and runs the highlighted workflow."""
        wf = self.selected
        if wf is None:
            return

        def ran(items: list[dict[str, Any]] | bool | None) -> None:
            if items is not False:
                self.run_worker(self.guard(self._run(wf, items or None)), group="action")

        self.app.push_screen(RunDialog(wf.name), callback=ran)

    async def _run(self, wf: WorkflowSummary, items: Any) -> None:
        from tui.screens.execution_detail import ExecutionDetailScreen

        execution_id = await self.client.run(wf.id, items)
        self.notify(f"Started {wf.name}: execution {execution_id[:8]}.", timeout=3)
        await self.app.push_screen(ExecutionDetailScreen(execution_id))

    def action_executions(self) -> None:
        """Shows the executions of the highlighted workflow."""
        from tui.screens.executions import ExecutionsScreen

        wf = self.selected
        if wf is None:
            return
        self.aura.action_show("executions")
        screen = self.app.screen
        if isinstance(screen, ExecutionsScreen):
            screen.filter_workflow(wf.id)
