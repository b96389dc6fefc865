"""Executions: the list with filters, and one execution as the workflow was."""

from __future__ import annotations

import reflex as rx

from studio.components.node_panel import node_panel
from studio.components.shell import empty_state, page, page_header, status_badge
from studio.pages.editor import canvas
from studio.state.execution_view import ExecutionViewState
from studio.state.executions import ExecutionRow, ExecutionsState

__all__ = ["execution_page", "executions_page"]

S = ExecutionsState
STATUSES = ["succeeded", "failed", "running", "queued", "waiting", "cancelled", "crashed"]
WINDOWS = [("all", "Any time"), ("1h", "Last hour"), ("24h", "Last 24 hours"),
           ("7d", "Last 7 days"), ("30d", "Last 30 days")]


def _row(r: ExecutionRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(status_badge(r.status)),
        rx.table.cell(rx.vstack(
            rx.link(r.workflow, href=f"/executions/{r.id}", weight="medium", size="2",
                    class_name="ex-link"),
            rx.cond(r.error != "", rx.text(r.error, size="1", color="red",
                                           max_width="520px", overflow="hidden",
                                           white_space="nowrap", text_overflow="ellipsis")),
            spacing="0")),
        rx.table.cell(rx.badge(r.mode, variant="outline", color_scheme="gray")),
        rx.table.cell(rx.tooltip(rx.text(r.when, size="2"), content=r.started)),
        rx.table.cell(rx.text(r.duration, size="2", color_scheme="gray")),
        rx.table.cell(rx.code(r.short, size="1")),
        rx.table.cell(rx.icon_button(rx.icon("trash-2", size=14), variant="ghost",
                                     color_scheme="gray", on_click=S.delete(r.id),
                                     aria_label="Delete execution")),
        align="center", class_name="ex-row",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(placeholder="All workflows", min_width="200px"),
            rx.select.content(rx.select.item("All workflows", value="__all__"),
                              rx.foreach(S.workflows, lambda w: rx.select.item(
                                  w["name"], value=w["id"]))),
            value=rx.cond(S.workflow == "", "__all__", S.workflow), on_change=S.set_workflow,
        ),
        rx.select.root(
            rx.select.trigger(placeholder="Any status"),
            rx.select.content(rx.select.item("Any status", value="__all__"),
                              *[rx.select.item(s.capitalize(), value=s) for s in STATUSES]),
            value=rx.cond(S.status == "", "__all__", S.status), on_change=S.set_status,
        ),
        rx.select.root(
            rx.select.trigger(),
            rx.select.content(*[rx.select.item(label, value=v) for v, label in WINDOWS]),
            value=S.window, on_change=S.set_window,
        ),
        rx.spacer(),
        rx.text(S.total, " execution", rx.cond(S.total == 1, "", "s"), size="2",
                color_scheme="gray"),
        rx.icon_button(rx.icon("refresh-cw", size=14), variant="soft", on_click=S.load,
                       aria_label="Refresh"),
        width="100%", spacing="2", align="center", padding_bottom="12px",
    )


def executions_page() -> rx.Component:
    filtering = (S.workflow != "") | (S.status != "") | (S.window != "all")
    table = rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("Status", width="110px"),
            rx.table.column_header_cell("Workflow"),
            rx.table.column_header_cell("Mode", width="100px"),
            rx.table.column_header_cell("Started", width="130px"),
            rx.table.column_header_cell("Duration", width="100px"),
            rx.table.column_header_cell("ID", width="100px"),
            rx.table.column_header_cell("", width="48px"),
        )),
        rx.table.body(rx.foreach(S.rows, _row)),
        variant="surface", width="100%",
    )
    body = rx.cond(
        S.rows.length() > 0, table,
        rx.cond(filtering,
                empty_state("filter-x", "No execution matches these filters",
                            "Widen the time range or clear the filters.",
                            rx.button("Clear filters", variant="soft",
                                      on_click=S.clear_filters)),
                empty_state("list-checks", "No executions yet",
                            "Every run of a workflow is recorded here with each node's data. "
                            "Open a workflow and press Run to make the first one.",
                            rx.link(rx.button("Go to workflows", variant="soft"),
                                    href="/workflows"))),
    )
    return page(page_header("Executions", "What ran, when, and what happened."), _filters(),
                rx.cond(S.loaded, body, rx.center(rx.spinner(), padding="48px")))


def execution_page() -> rx.Component:
    X = ExecutionViewState
    header = rx.hstack(
        rx.link(rx.icon("chevron-left", size=16), "Executions", href="/executions", size="2",
                color_scheme="gray", display="flex", align_items="center"),
        rx.text("/", color_scheme="gray"),
        rx.text(X.ex_workflow, weight="bold", size="3"),
        status_badge(X.ex_status),
        rx.badge(X.ex_mode, variant="outline", color_scheme="gray"),
        rx.text(X.ex_started, " UTC · ", X.ex_duration, size="2", color_scheme="gray"),
        rx.spacer(),
        rx.text("Double-click a node to see its data.", size="1", color_scheme="gray"),
        rx.cond(X.ex_workflow_id != "",
                rx.link(rx.button(rx.icon("pencil", size=14), "Open workflow", variant="soft"),
                        href="/workflows/" + X.ex_workflow_id)),
        align="center", spacing="2", width="100%", padding="8px 12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}", background=rx.color("gray", 1),
    )
    body = rx.cond(
        X.ex_missing != "",
        rx.center(rx.vstack(rx.heading("Execution not found", size="4"),
                            rx.text(X.ex_missing, color_scheme="gray"),
                            rx.link("Back to executions", href="/executions"),
                            align="center"), height="100%"),
        rx.vstack(
            header,
            rx.cond(X.ex_error != "", rx.callout(X.ex_error, icon="circle-alert",
                                                 color_scheme="red", width="100%",
                                                 id="execution-error")),
            rx.box(canvas(read_only=True), flex="1", width="100%", position="relative",
                   min_height="0"),
            spacing="0", height="100vh", width="100%",
        ),
    )
    return page(body, node_panel(), compact=True, padded=False)
