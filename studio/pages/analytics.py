"""Analytics: executions over time, success and failure rates, the slowest workflows,
node failures by type, queue wait and LLM usage, for a period and a project."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.components.shell import empty_state, page, page_header
from studio.logic.analytics_view import PERIODS
from studio.state.analytics import AnalyticsState

__all__ = ["analytics_page"]

S = AnalyticsState
CHART_H = "180px"
COLORS = {
    "succeeded": "green",
    "failed": "red",
    "crashed": "crimson",
    "cancelled": "gray",
    "running": "blue",
    "waiting": "amber",
    "queued": "gray",
}


def _filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(id="analytics-period", min_width="160px"),
            rx.select.content(
                *[rx.select.item(label, value=k) for k, (_, _, label) in PERIODS.items()]
            ),
            value=S.period,
            on_change=S.set_period,
        ),
        rx.select.root(
            rx.select.trigger(id="analytics-project", min_width="200px"),
            rx.select.content(
                rx.select.item(
                    rx.cond(S.is_admin, "All projects", "All my projects"), value="__all__"
                ),
                rx.foreach(S.projects, lambda p: rx.select.item(p["name"], value=p["id"])),
            ),
            value=rx.cond(S.project == "", "__all__", S.project),
            on_change=S.set_project,
        ),
        rx.badge(S.scope_note, variant="soft", color_scheme="gray", id="analytics-scope"),
        rx.spacer(),
        rx.text("Updated ", S.updated, " UTC", size="1", color_scheme="gray"),
        rx.icon_button(
            rx.icon("refresh-cw", size=14), variant="soft", on_click=S.load, aria_label="Refresh"
        ),
        width="100%",
        spacing="2",
        align="center",
        padding_bottom="16px",
    )


def _card(c: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(c["label"], size="1", color_scheme="gray", weight="medium"),
            rx.text(c["value"], size="4", weight="bold", class_name="card-value"),
            rx.text(c["note"], size="1", color_scheme="gray"),
            spacing="1",
        ),
        id="card-" + c["id"],
        class_name="analytics-card",
        min_width="0",
    )


def _section(title: str, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _bar(b: Any) -> rx.Component:
    column = rx.flex(
        rx.box(height=b["other_h"], background=rx.color("gray", 8)),
        rx.box(height=b["bad_h"], background=rx.color("red", 9)),
        rx.box(height=b["ok_h"], background=rx.color("green", 9)),
        direction="column",
        justify="end",
        height=CHART_H,
        width="100%",
        border_radius="3px 3px 0 0",
        overflow="hidden",
    )
    return rx.tooltip(
        rx.vstack(
            column,
            rx.text(b["label"], size="1", color_scheme="gray", height="16px", white_space="nowrap"),
            spacing="1",
            align="center",
            flex="1",
            min_width="0",
            class_name="series-bar",
            custom_attrs={"data-tip": b["tip"]},
        ),
        content=b["tip"],
    )


def _legend(color: str, label: str) -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="2px", background=rx.color(color, 9)),
        rx.text(label, size="1", color_scheme="gray"),
        spacing="1",
        align="center",
    )


def _over_time() -> rx.Component:
    return _section(
        "Executions over time",
        rx.hstack(
            _legend("green", "Succeeded"),
            _legend("red", "Failed or crashed"),
            _legend("gray", "Other"),
            rx.spacer(),
            rx.text(S.peak, size="1", color_scheme="gray", id="series-peak"),
            spacing="4",
            width="100%",
        ),
        rx.hstack(
            rx.foreach(S.bars, _bar), spacing="1", width="100%", align="end", id="series-chart"
        ),
        rx.cond(
            S.statuses.length() > 0,
            rx.vstack(
                rx.text("Outcomes", size="2", weight="medium"),
                rx.hstack(
                    rx.foreach(
                        S.statuses,
                        lambda s: rx.box(
                            width=s["width"],
                            height="12px",
                            background=rx.match(
                                s["status"],
                                *[(k, rx.color(v, 9)) for k, v in COLORS.items()],
                                rx.color("gray", 8),
                            ),
                        ),
                    ),
                    spacing="0",
                    width="100%",
                    border_radius="6px",
                    overflow="hidden",
                ),
                rx.hstack(
                    rx.foreach(
                        S.statuses,
                        lambda s: rx.text(
                            rx.text.strong(s["status"]),
                            " ",
                            s["count"],
                            " (",
                            s["share"],
                            ")",
                            size="1",
                            class_name="status-share",
                        ),
                    ),
                    spacing="4",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        id="over-time",
    )


def _sort_header(label: str, key: str, width: str = "") -> rx.Component:
    arrow = rx.cond(S.sort_by == key, rx.cond(S.sort_desc, " ↓", " ↑"), "")
    return rx.table.column_header_cell(
        rx.button(
            label,
            arrow,
            variant="ghost",
            size="1",
            color_scheme="gray",
            on_click=S.sort(key),
            id=f"sort-{key}",
        ),
        width=width or None,
    )


def _wf_row(w: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.cond(
                w["id"] != "",
                rx.link(w["workflow"], href="/workflows/" + w["id"].to(str), size="2"),
                rx.text(w["workflow"], size="2"),
            )
        ),
        rx.table.cell(w["executions"]),
        rx.table.cell(w["failed"]),
        rx.table.cell(w["rate_text"]),
        rx.table.cell(w["p50_text"]),
        rx.table.cell(w["p95_text"]),
        class_name="wf-row",
    )


def _workflows() -> rx.Component:
    return _section(
        "Slowest workflows",
        rx.text(
            "Sorted by p95 duration; click a column to sort by it.", size="1", color_scheme="gray"
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    _sort_header("Workflow", "workflow"),
                    _sort_header("Runs", "executions"),
                    _sort_header("Failed", "failed"),
                    _sort_header("Failure rate", "failure_rate"),
                    _sort_header("p50", "p50"),
                    _sort_header("p95", "p95"),
                )
            ),
            rx.table.body(rx.foreach(S.sorted_workflows, _wf_row)),
            variant="surface",
            width="100%",
            size="1",
            id="workflow-table",
        ),
        id="slowest-workflows",
    )


def _failure_bar(f: Any) -> rx.Component:
    return rx.hstack(
        rx.code(
            f["node_type"],
            size="1",
            width="180px",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
        ),
        rx.box(
            rx.box(
                width=f["width"], height="14px", background=rx.color("red", 9), border_radius="3px"
            ),
            flex="1",
        ),
        rx.text(
            f["failed"],
            " of ",
            f["runs"],
            " (",
            f["rate"],
            ")",
            size="1",
            white_space="nowrap",
            width="150px",
            text_align="right",
        ),
        width="100%",
        align="center",
        spacing="3",
        class_name="failure-bar",
    )


def _small_table(
    headers: list[str], rows: Any, cells: list[str], row_class: str, table_id: str
) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(
            rx.foreach(
                rows,
                lambda r: rx.table.row(*[rx.table.cell(r[c]) for c in cells], class_name=row_class),
            )
        ),
        variant="surface",
        size="1",
        width="100%",
        id=table_id,
    )


def _nodes() -> rx.Component:
    return _section(
        "Node failures by type",
        rx.cond(
            S.failures.length() > 0,
            rx.vstack(rx.foreach(S.failures, _failure_bar), width="100%", spacing="2"),
            rx.text("No node failed in this period.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            S.failing_nodes.length() > 0,
            _small_table(
                ["Workflow", "Node", "Type", "Failures"],
                S.failing_nodes,
                ["workflow", "node", "node_type", "failures"],
                "failing-node",
                "failing-nodes",
            ),
        ),
        id="node-failures",
    )


def _wait_and_usage() -> rx.Component:
    return rx.grid(
        _section(
            "Queue wait",
            rx.text(
                "Time from queued to started, per how runs were started.",
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                S.waits.length() > 0,
                _small_table(
                    ["Mode", "Runs", "p50", "p95", "Longest"],
                    S.waits,
                    ["mode", "executions", "p50", "p95", "max"],
                    "wait-row",
                    "wait-table",
                ),
                rx.text("No run started in this period.", size="2", color_scheme="gray"),
            ),
            id="queue-wait",
        ),
        _section(
            "LLM tokens and cost",
            rx.cond(
                S.usage.length() > 0,
                _small_table(
                    ["Model", "Calls", "Tokens in", "Tokens out", "Cost"],
                    S.usage,
                    ["model", "calls", "tokens_in", "tokens_out", "cost"],
                    "usage-row",
                    "usage-table",
                ),
                rx.text("No model calls recorded in this period.", size="2", color_scheme="gray"),
            ),
            id="llm-usage",
        ),
        columns={"initial": "1", "md": "2"},
        spacing="4",
        width="100%",
    )


def analytics_page() -> rx.Component:
    figures = rx.vstack(
        rx.grid(
            rx.foreach(S.cards, _card),
            columns={"initial": "2", "md": "3", "lg": "6"},
            spacing="3",
            width="100%",
        ),
        _over_time(),
        rx.grid(
            _workflows(), _nodes(), columns={"initial": "1", "md": "2"}, spacing="4", width="100%"
        ),
        _wait_and_usage(),
        spacing="4",
        width="100%",
    )
    body = rx.cond(
        S.total > 0,
        figures,
        empty_state(
            "chart-column",
            "No executions in this period",
            "Pick a longer period or another project; runs appear here as soon as workflows run.",
            rx.link(rx.button("Go to executions", variant="soft"), href="/executions"),
        ),
    )
    return page(
        page_header(
            "Analytics", "How your workflows ran: volume, failures, speed, queue wait and LLM cost."
        ),
        _filters(),
        rx.cond(S.loaded, body, rx.center(rx.spinner(), padding="48px")),
    )
