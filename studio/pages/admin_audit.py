"""Admin > Audit log: filter, page through and export who did what."""

from __future__ import annotations

import reflex as rx

from studio.components.admin import admin_page
from studio.state.admin_audit import ANY, AdminAuditState

__all__ = ["admin_audit_page"]

S = AdminAuditState


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r["at"], size="1", font_family="monospace",
                              white_space="nowrap")),
        rx.table.cell(rx.vstack(rx.text(r["actor"], size="2"),
                                rx.cond(r["via"] != "", rx.badge(r["via"], size="1",
                                                                 variant="soft")),
                                spacing="0")),
        rx.table.cell(rx.code(r["action"], size="1")),
        rx.table.cell(rx.hstack(
            rx.cond(r["target_type"] != "", rx.badge(r["target_type"], variant="outline",
                                                     size="1")),
            rx.tooltip(rx.text(r["target_id"], size="1", color_scheme="gray",
                               max_width="120px", overflow="hidden",
                               text_overflow="ellipsis", white_space="nowrap"),
                       content=r["target_id"]),
            spacing="1", align="center")),
        rx.table.cell(rx.text(r["details"], size="1", font_family="monospace",
                              color_scheme="gray", style={"overflow_wrap": "anywhere"})),
        rx.table.cell(rx.text(r["ip"], size="1", color_scheme="gray")),
        align="center", class_name="audit-row",
    )


def _label(text: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(text, size="1", weight="medium", color_scheme="gray"), control,
                     spacing="1")


def _filters() -> rx.Component:
    actor = rx.select.root(
        rx.select.trigger(width="200px", id="audit-actor"),
        rx.select.content(rx.select.item("Anyone", value=ANY),
                          rx.foreach(S.actors, lambda a: rx.select.item(a["email"],
                                                                        value=a["id"]))),
        value=S.actor_id, on_change=S.set_actor)
    target = rx.select.root(
        rx.select.trigger(width="130px", id="audit-target-type"),
        rx.select.content(rx.select.item("Any target", value=ANY),
                          rx.foreach(S.target_types, lambda t: rx.select.item(t, value=t))),
        value=S.target_type, on_change=S.set_target_type)
    texts = rx.form(
        rx.hstack(
            _label("Action", rx.input(name="action", default_value=S.action, key=S.action,
                                      placeholder="e.g. user.* or apikey.created",
                                      width="240px", id="audit-action")),
            _label("Target id", rx.input(name="target_id", default_value=S.target_id,
                                         key=S.target_id, placeholder="id", width="120px",
                                         id="audit-target-id")),
            rx.button(rx.icon("filter", size=14), "Filter", type="submit",
                      variant="soft", id="audit-apply"),
            rx.button("Clear", type="button", variant="soft", color_scheme="gray",
                      on_click=S.clear, id="audit-clear"),
            align="end", spacing="2"),
        on_submit=S.apply_text, reset_on_submit=False)
    dates = rx.hstack(
        _label("From", rx.input(type="date", value=S.since, on_change=S.set_since,
                                id="audit-since")),
        _label("To", rx.input(type="date", value=S.until, on_change=S.set_until,
                              id="audit-until")),
        spacing="2")
    return rx.flex(_label("Actor", actor), _label("Target", target), dates, texts,
                   wrap="wrap", spacing="3", align="end", width="100%")


def admin_audit_page() -> rx.Component:
    table = rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("When (UTC)", width="170px"),
            rx.table.column_header_cell("Who", width="200px"),
            rx.table.column_header_cell("Action", width="200px"),
            rx.table.column_header_cell("Target", width="190px"),
            rx.table.column_header_cell("Details"),
            rx.table.column_header_cell("IP", width="110px"))),
        rx.table.body(rx.foreach(S.rows, _row)),
        variant="surface", width="100%", size="1", id="audit-table",
    )
    pager = rx.hstack(
        rx.text(S.page_label, size="2", color_scheme="gray", id="audit-page-label"),
        rx.spacer(),
        rx.button(rx.icon("chevron-left", size=14), "Newer", variant="soft", size="1",
                  on_click=S.newer, disabled=S.offset == 0, id="audit-newer"),
        rx.button("Older", rx.icon("chevron-right", size=14), variant="soft", size="1",
                  on_click=S.older, disabled=~S.has_more, id="audit-older"),
        width="100%", align="center")
    body = rx.vstack(
        _filters(),
        rx.cond(S.error != "", rx.callout(S.error, icon="circle-alert", color_scheme="red",
                                          size="1", id="audit-error")),
        rx.cond(S.rows.length() > 0, table,
                rx.center(rx.text("No events match these filters.", size="2",
                                  color_scheme="gray"), padding="32px", width="100%")),
        pager, spacing="3", width="100%")
    export = rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("download", size=14), "Export", variant="soft",
                                  id="audit-export")),
        rx.menu.content(
            rx.menu.item("CSV (spreadsheets)", on_click=S.export("csv"),
                         id="audit-export-csv"),
            rx.menu.item("JSON lines", on_click=S.export("jsonl"), id="audit-export-jsonl")))
    return admin_page("Audit log", "Sign-ins, changes and API key use; exports use the "
                      "filters shown.", S, body, export)
