"""One execution: its summary, each node's status, timing and item counts, and a JSON
viewer for the highlighted node's output, input, error and logs.

A node's input is not recorded separately; the screen rebuilds it from the outputs of
the upstream nodes along the workflow's connections (:func:`node_inputs`). While the
execution is unfinished the screen follows it: from the node events of the server's
event stream, which carry the rows' data (:mod:`tui.live`), and the stored record once it
ends; without a stream, by reloading every 2 s.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from tui.errors import ApiError
from tui.live import apply_event
from tui.messages import LiveEvent
from tui.metrics import format_duration
from tui.models import Execution, NodeRun
from tui.screens import execution_actions as actions
from tui.screens.base import ConsoleScreen
from tui.widgets.json_view import JsonView
from tui.widgets.status_badge import status_text

__all__ = ["ExecutionDetailScreen", "node_inputs"]

FINISHED = {"succeeded", "failed", "cancelled", "crashed"}


def node_inputs(
    definition: dict[str, Any], runs: list[NodeRun], node: str
) -> dict[str, list[Any]] | None:
    """The items ``node`` received, per input port, rebuilt from the upstream nodes'
    outputs; None when ``node`` has no incoming connection (a trigger)."""
    outputs = {r.node: r.outputs for r in runs}
    incoming = [
        c
        for c in definition.get("connections") or []
        if isinstance(c, dict) and c.get("target") == node
    ]
    if not incoming:
        return None
    ports: dict[str, list[Any]] = {}
    for c in incoming:
        port = str(c.get("input") or "main")
        items = outputs.get(str(c.get("source")), {}).get(str(c.get("output") or "main"))
        ports.setdefault(port, []).extend(items or [])
    return ports


def _when(at: datetime | None) -> str:
    return at.astimezone().strftime("%H:%M:%S.%f")[:-3] if at else "-"


class ExecutionDetailScreen(ConsoleScreen):
    """The detail of ``execution_id``."""

    TITLE_TEXT = "Execution"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("R", "retry", "Retry"),
        Binding("c", "cancel", "Cancel"),
        Binding("x,delete", "delete", "Delete"),
        Binding("o", "tab('tab-output')", "Output"),
        Binding("i", "tab('tab-input')", "Input"),
        Binding("j", "focus_json", "JSON"),
    ]

    def __init__(self, execution_id: str) -> None:
        super().__init__()
        self.execution_id = execution_id
        self.execution: Execution | None = None
        self.definition: dict[str, Any] = {}
        self._seqs: dict[str, int] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("Loading…", id="ex-summary")
        with Horizontal(id="ex-detail", classes="split"):
            yield DataTable(id="node-runs", cursor_type="row", zebra_stripes=True)
            with TabbedContent(id="node-data"):
                with TabPane("Output", id="tab-output"):
                    yield JsonView("output", id="json-output")
                with TabPane("Input", id="tab-input"):
                    yield JsonView("input", id="json-input")
                with TabPane("Error & logs", id="tab-error"):
                    yield JsonView("error", id="json-error")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#node-runs", DataTable).add_columns(
            "Node", "Type", "Status", "Started", "Took", "In", "Out"
        )
        self.query_one("#node-runs", DataTable).focus()
        self.every(self.aura.poll_interval, self._tick)

    def _tick(self) -> None:
        running = self.execution is None or self.execution.status not in FINISHED
        if running and self.aura.feed_mode != "stream":
            self.refresh_data()

    def on_live_event(self, message: LiveEvent) -> None:
        event = message.event
        if event.execution_id != self.execution_id:
            return
        if self.execution is not None and event.source == "stream":
            # node events carry what the rows show: no request while the run is live
            updated = apply_event(self.execution, event.data, self._seqs)
            if updated is not None:
                self._show(updated)
                return
        self.refresh_soon()  # the run ended (or polled): read its record once

    # -- data -------------------------------------------------------------------------
    async def reload(self) -> None:
        ex = await self.client.execution(self.execution_id)
        self.execution_id = ex.id
        if ex.workflow_id and not self.definition:
            try:
                self.definition = (await self.client.workflow(ex.workflow_id)).definition
            except ApiError:  # the workflow was deleted: inputs cannot be rebuilt
                self.definition = {}
        self._seqs = {}
        self._show(ex)

    def _show(self, ex: Execution) -> None:
        self.execution = ex
        self.sub_title = f"Execution {ex.id[:8]} · {ex.workflow_name}"
        self._show_summary(ex)
        table = self.query_one("#node-runs", DataTable)
        row = table.cursor_row
        table.clear()
        for run in ex.node_runs:
            table.add_row(
                Text(run.node, style="bold"),
                run.type.removeprefix("core."),
                status_text(run.status),
                _when(run.started_at),
                format_duration(run.duration_ms),
                str(run.items_in),
                str(run.items_out),
                key=run.node,
            )
        if ex.node_runs:
            table.move_cursor(row=max(0, min(row, len(ex.node_runs) - 1)), animate=False)
            self._show_node()

    def _show_summary(self, ex: Execution) -> None:
        text = Text()
        text.append_text(status_text(ex.status))
        text.append(f"  {ex.workflow_name}", style="bold")
        text.append(f" · {ex.mode} · attempt {ex.attempt}\n", style="dim")
        text.append(
            f"created {_when(ex.created_at)}  started {_when(ex.started_at)}  "
            f"finished {_when(ex.finished_at)}  took "
            f"{format_duration(ex.duration_ms)}\n"
        )
        text.append(f"id {ex.id}", style="dim")
        if ex.error_message:
            text.append(f"\n✖ {ex.error_message}", style="bold red")
        self.query_one("#ex-summary", Static).update(text)

    @property
    def selected_run(self) -> NodeRun | None:
        """The highlighted node run."""
        table = self.query_one("#node-runs", DataTable)
        runs = self.execution.node_runs if self.execution else []
        return runs[table.cursor_row] if 0 <= table.cursor_row < len(runs) else None

    def _show_node(self) -> None:
        run = self.selected_run
        if run is None or self.execution is None:
            return
        self.query_one("#json-output", JsonView).set_data(
            run.outputs, f"{run.node} output ({run.items_out} item(s))"
        )
        inputs = node_inputs(self.definition, self.execution.node_runs, run.node)
        data: Any
        if not self.definition:
            label, data = "input (workflow definition unavailable)", {}
        elif inputs is None:
            label, data = f"{run.node} input: a trigger; its output is the input", {}
        else:
            label, data = f"{run.node} input ({run.items_in} item(s))", inputs
        self.query_one("#json-input", JsonView).set_data(data, label)
        self.query_one("#json-error", JsonView).set_data(
            {"error": run.error, "logs": run.logs}, f"{run.node} error and logs"
        )

    @on(DataTable.RowHighlighted, "#node-runs")
    def _highlighted(self) -> None:
        self._show_node()

    # -- actions ----------------------------------------------------------------------
    def action_back(self) -> None:
        """Back to where you came from."""
        self.dismiss()

    def action_tab(self, tab: str) -> None:
        """Shows the output, input or error tab."""
        self.query_one("#node-data", TabbedContent).active = tab

    @on(DataTable.RowSelected, "#node-runs")
    def action_focus_json(self) -> None:
        """Moves into the JSON viewer of the active tab."""
        active = self.query_one("#node-data", TabbedContent).active
        self.query_one(f"#{active} JsonView", JsonView).focus()

    def action_retry(self) -> None:
        """Runs the execution again and follows the new one."""

        def follow(new_id: str) -> None:
            self.execution_id = new_id
            self.execution = None

        actions.retry(self, self.execution_id, follow)

    def action_cancel(self) -> None:
        """Stops the execution."""
        actions.cancel(self, self.execution_id)

    def action_delete(self) -> None:
        """Deletes the execution and goes back."""

        def gone() -> None:
            self.dismiss()

        actions.delete(self, self.execution_id, then=gone)
