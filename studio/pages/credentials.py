"""Credentials: secrets that nodes use, encrypted at rest; never shown again once saved."""

from __future__ import annotations

import reflex as rx
from reflex.style import resolved_color_mode

from studio.components.param_form import aura_form
from studio.components.shell import empty_state, page, page_header
from studio.state.credentials import CredentialsState

__all__ = ["credentials_page"]

S = CredentialsState


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r["name"], weight="medium")),
        rx.table.cell(rx.badge(r["kind_title"], variant="soft")),
        rx.table.cell(rx.text(r["updated"], size="2", color_scheme="gray")),
        rx.table.cell(rx.hstack(
            rx.button("Edit", size="1", variant="soft", on_click=S.edit(r["id"])),
            rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost",
                           color_scheme="red", on_click=S.ask_delete(r["id"]),
                           aria_label="Delete " + r["name"]),
            spacing="2")),
        align="center", class_name="cred-row",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id != "", "Edit credential", "New credential")),
            rx.vstack(
                rx.text("Kind", size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(width="100%"),
                    rx.select.content(rx.foreach(S.kinds, lambda k: rx.select.item(
                        k["title"], value=k["kind"]))),
                    value=S.kind, on_change=S.choose_kind, disabled=S.editing_id != "",
                ),
                rx.text(S.kind_description, size="1", color_scheme="gray"),
                rx.text("Name", size="2", weight="medium"),
                rx.input(value=S.name, on_change=S.set_name, placeholder="e.g. GitHub (ops)",
                         width="100%", id="cred-name"),
                rx.cond(S.errors.contains("name"),
                        rx.text(S.errors["name"], size="1", color="red")),
                rx.separator(size="4"),
                aura_form(fields=S.fields, values=S.values, errors=S.errors, previews={},
                          modes={}, rev=S.rev, read_only=False,
                          color_mode=resolved_color_mode, on_change_value=S.on_change_value,
                          on_add_item=S.noop, on_remove_item=S.noop, on_move_item=S.noop,
                          on_mode=S.noop),
                rx.cond(S.editing_id != "",
                        rx.text("Secret fields show ******** : leave them as they are to keep "
                                "the stored value.", size="1", color_scheme="gray")),
                rx.cond(S.tested, rx.callout(S.test_message,
                                             icon=rx.cond(S.test_ok, "circle-check",
                                                          "circle-alert"),
                                             color_scheme=rx.cond(S.test_ok, "green", "red"),
                                             size="1", width="100%", id="cred-test-result")),
                rx.hstack(
                    rx.button(rx.icon("plug-zap", size=14), "Test", variant="soft",
                              on_click=S.test, id="cred-test"),
                    rx.spacer(),
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save", on_click=S.save, id="cred-save"),
                    width="100%", padding_top="8px",
                ),
                spacing="2", width="100%",
            ),
            max_width="560px", max_height="88vh", overflow_y="auto", id="cred-dialog",
        ),
        open=S.dialog_open, on_open_change=S.set_dialog_open,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete credential?"),
            rx.alert_dialog.description("Nodes that use it will fail until you pick another.",
                                        size="2"),
            rx.hstack(rx.alert_dialog.cancel(rx.button("Cancel", variant="soft",
                                                       color_scheme="gray",
                                                       on_click=S.cancel_delete)),
                      rx.alert_dialog.action(rx.button("Delete", color_scheme="red",
                                                       on_click=S.confirm_delete)),
                      justify="end", spacing="2", padding_top="12px"),
            max_width="420px",
        ),
        open=S.confirm_delete_id != "",
    )


def credentials_page() -> rx.Component:
    new_btn = rx.button(rx.icon("plus", size=14), "New credential", on_click=S.new,
                        id="new-credential", disabled=S.service_missing)
    table = rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("Name"), rx.table.column_header_cell("Kind"),
            rx.table.column_header_cell("Updated", width="140px"),
            rx.table.column_header_cell("", width="120px"))),
        rx.table.body(rx.foreach(S.rows, _row)),
        variant="surface", width="100%",
    )
    body = rx.cond(
        S.service_missing,
        rx.callout("The credentials service is not installed in this build.",
                   icon="info", color_scheme="amber"),
        rx.cond(S.rows.length() > 0, table,
                empty_state("key-round", "No credentials yet",
                            "Nodes that call other services (HTTP Request, databases, AI "
                            "models) use a credential so secrets never sit in the workflow "
                            "itself. They are encrypted at rest and never shown again.",
                            rx.button(rx.icon("plus", size=14), "Add a credential",
                                      on_click=S.new))),
    )
    return page(
        page_header("Credentials", "API keys, tokens and passwords, encrypted at rest.",
                    new_btn),
        rx.cond(S.loaded, body, rx.center(rx.spinner(), padding="48px")),
        _dialog(), _delete_dialog(),
    )
