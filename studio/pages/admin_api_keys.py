"""API keys: keys for scripts, CI and the console (``X-API-Key``); the key is shown once."""

from __future__ import annotations

import reflex as rx

from studio.components.admin import admin_page, confirm_dialog, copy_field, dialog_buttons
from studio.components.shell import empty_state
from studio.state.admin_api_keys import EXPIRY_CHOICES, AdminApiKeysState

__all__ = ["admin_api_keys_page"]

S = AdminApiKeysState
STATUS = {"active": "green", "revoked": "red", "expired": "gray"}


def _row(k: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(k["name"], weight="medium", size="2"),
                                rx.code(k["prefix"] + "_…", size="1", variant="ghost"),
                                spacing="0")),
        rx.table.cell(rx.text(k["owner"], size="2")),
        rx.table.cell(rx.text(k["scopes"], size="1", font_family="monospace")),
        rx.table.cell(rx.text(k["expires"], size="2", color_scheme="gray",
                              white_space="nowrap")),
        rx.table.cell(rx.text(k["last_used"], size="2", color_scheme="gray",
                              white_space="nowrap")),
        rx.table.cell(rx.badge(k["status"], variant="soft", color_scheme=rx.match(
            k["status"], *STATUS.items(), "gray"))),
        rx.table.cell(rx.cond(k["status"] == "active", rx.button(
            "Revoke", size="1", variant="soft", color_scheme="red",
            on_click=S.ask_revoke(k["id"], k["name"]), aria_label="Revoke " + k["name"]))),
        align="center", class_name="apikey-row", data_name=k["name"],
    )


def _area_row(a: rx.Var) -> rx.Component:
    options = rx.cond(
        a["read"] != "",
        rx.segmented_control.root(
            rx.segmented_control.item("None", value="none"),
            rx.segmented_control.item("Read", value="read"),
            rx.segmented_control.item("Full", value="full"),
            value=S.choices.get(a["area"], "none"),
            on_change=lambda v: S.set_choice(a["area"], v), size="1"),
        rx.segmented_control.root(
            rx.segmented_control.item("None", value="none"),
            rx.segmented_control.item("Full", value="full"),
            value=S.choices.get(a["area"], "none"),
            on_change=lambda v: S.set_choice(a["area"], v), size="1"),
    )
    return rx.hstack(rx.text(a["area"], size="2", width="110px"), options, align="center",
                     class_name="scope-area", data_area=a["area"])


def _create_dialog() -> rx.Component:
    form = rx.vstack(
        rx.text("Name", size="2", weight="medium"),
        rx.input(value=S.name, on_change=S.set_name, placeholder="e.g. CI deploy",
                 width="100%", id="apikey-name"),
        rx.text("What it may do", size="2", weight="medium"),
        rx.hstack(rx.switch(checked=S.full_access, on_change=S.set_full_access,
                            id="apikey-full"),
                  rx.text("Everything my role allows", size="2"), align="center"),
        rx.cond(~S.full_access, rx.grid(rx.foreach(S.areas, _area_row), columns="2",
                                        spacing="2", width="100%")),
        rx.text("A key never does more than your own role allows.", size="1",
                color_scheme="gray"),
        rx.text("Expires after", size="2", weight="medium"),
        rx.select.root(rx.select.trigger(width="200px", id="apikey-expiry"),
                       rx.select.content(*[rx.select.item(label, value=v)
                                           for v, label in EXPIRY_CHOICES]),
                       value=S.expiry, on_change=S.set_expiry),
        rx.cond(S.create_error != "", rx.text(S.create_error, color="red", size="1",
                                              id="apikey-error")),
        dialog_buttons(rx.button("Create key", on_click=S.create, id="apikey-create")),
        spacing="2", width="100%",
    )
    done = rx.vstack(
        rx.callout("Copy the key now: it is shown only this once. Send it in the "
                   "X-API-Key header.", icon="triangle-alert", color_scheme="amber",
                   size="1"),
        rx.text(S.new_key_name, size="2", weight="medium"),
        copy_field(S.new_key, id="apikey-secret", label="Copy key"),
        dialog_buttons(rx.dialog.close(rx.button("I have copied it", id="apikey-done")),
                       cancel=False),
        spacing="3", width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(rx.dialog.title("New API key"),
                          rx.cond(S.new_key != "", done, form),
                          max_width="640px", id="apikey-dialog"),
        open=S.create_open, on_open_change=S.set_create_open,
    )


def admin_api_keys_page() -> rx.Component:
    table = rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("Key"), rx.table.column_header_cell("Owner"),
            rx.table.column_header_cell("Scopes"),
            rx.table.column_header_cell("Expires", width="150px"),
            rx.table.column_header_cell("Last used", width="150px"),
            rx.table.column_header_cell("Status", width="90px"),
            rx.table.column_header_cell("", width="90px"))),
        rx.table.body(rx.foreach(S.keys, _row)),
        variant="surface", width="100%", id="apikeys-table",
    )
    toggle = rx.cond(S.is_admin_view, rx.hstack(
        rx.switch(checked=S.show_all, on_change=S.set_show_all, id="apikeys-all"),
        rx.text("All users' keys", size="2"), align="center"))
    body = rx.vstack(
        toggle,
        rx.cond(S.keys.length() > 0, table, empty_state(
            "key-square", "No API keys yet",
            "Scripts, CI jobs and the AURA console use API keys instead of your password. "
            "Give each use its own key with only the scopes it needs.")),
        spacing="3", width="100%")
    new = rx.button(rx.icon("plus", size=14), "New API key", on_click=S.open_create,
                    id="new-apikey")
    revoke = confirm_dialog(S.revoke_open, "Revoke this API key?",
                            "'" + S.revoke_label + "' stops working at once. Scripts using "
                            "it fail until they get a new key.", "Revoke",
                            on_confirm=S.revoke, on_cancel=S.cancel_revoke,
                            id="apikey-revoke")
    return admin_page("API keys", "Keys for scripts, CI and the console (X-API-Key).", S,
                      body, new, dialogs=(_create_dialog(), revoke))
