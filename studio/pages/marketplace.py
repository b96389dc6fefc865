"""Admin > Marketplace: the catalogue (search, verified badge, installed/update marks),
a details dialog that shows what a package may reach *before* it is installed, and the
installed packages with enable/disable and uninstall."""

from __future__ import annotations

import reflex as rx

from studio.components.admin import admin_page, card, section_note
from studio.state.marketplace import MarketplaceState

__all__ = ["marketplace_page"]

S = MarketplaceState


def _badge_row(p: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond(p["verified"] == "yes",
                rx.badge(rx.icon("badge-check", size=12), "verified", color_scheme="green",
                         variant="soft", class_name="verified-badge"),
                rx.badge("unverified publisher", color_scheme="amber", variant="soft")),
        rx.cond(p["installed"] != "",
                rx.badge("installed " + p["installed"], variant="outline",
                         class_name="installed-badge")),
        rx.cond(p["update"] == "yes", rx.badge("update available", color_scheme="blue")),
        spacing="2")


def _catalogue_row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(p["title"], size="2", weight="medium"),
                                rx.code(p["name"], size="1", variant="ghost"), spacing="0")),
        rx.table.cell(rx.text(p["description"], size="2")),
        rx.table.cell(rx.text(p["version"], size="2")),
        rx.table.cell(_badge_row(p)),
        rx.table.cell(rx.button("Details", size="1", variant="soft",
                                on_click=S.open_detail(p["name"]),
                                aria_label="Details of " + p["name"])),
        align="center", class_name="market-row")


def _catalogue() -> rx.Component:
    search = rx.hstack(
        rx.input(placeholder="Search packages", value=S.search, on_change=S.set_search,
                 id="market-search", width="320px"),
        rx.button("Search", on_click=S.apply_search, id="market-search-go", variant="soft"),
        spacing="2")
    table = rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("Package"),
            rx.table.column_header_cell("Description"),
            rx.table.column_header_cell("Version", width="90px"),
            rx.table.column_header_cell("", width="260px"),
            rx.table.column_header_cell("", width="90px"))),
        rx.table.body(rx.foreach(S.packages, _catalogue_row)),
        variant="surface", width="100%", id="market-table")
    return card(
        "Catalogue",
        rx.cond(S.catalogue_problem != "",
                section_note(S.catalogue_problem, icon="triangle-alert", color="amber"),
                rx.vstack(
                    rx.text(S.catalogue_name + " · index signed by " + S.signer, size="1",
                            color_scheme="gray", id="market-signer"),
                    search, table, spacing="3", width="100%")),
        description="Packages run in AURA's sandbox and reach only what they declare.")


def _installed_row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(p["name"], size="1")),
        rx.table.cell(rx.text(p["version"], size="2")),
        rx.table.cell(rx.badge(p["kind"], variant="soft")),
        rx.table.cell(rx.text(p["signed"], size="1")),
        rx.table.cell(rx.text(p["nodes"], size="1")),
        rx.table.cell(rx.cond(
            p["kind"] == "sandboxed",
            rx.hstack(
                rx.switch(checked=p["enabled"] == "yes",
                          on_change=lambda on: S.toggle(p["name"], on),
                          aria_label="Enabled " + p["name"]),
                rx.button("Uninstall", size="1", color_scheme="red", variant="soft",
                          on_click=S.uninstall(p["name"]),
                          aria_label="Uninstall " + p["name"]),
                spacing="2", align="center"))),
        align="center", class_name="installed-row")


def _installed() -> rx.Component:
    return card("Installed", rx.cond(
        S.installed.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Package"),
                rx.table.column_header_cell("Version", width="90px"),
                rx.table.column_header_cell("Kind", width="100px"),
                rx.table.column_header_cell("Signature"),
                rx.table.column_header_cell("Nodes"),
                rx.table.column_header_cell("", width="190px"))),
            rx.table.body(rx.foreach(S.installed, _installed_row)),
            variant="surface", width="100%", id="installed-table"),
        rx.text("No package installed yet.", size="2", color_scheme="gray")))


def _detail() -> rx.Component:
    d = S.detail
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(d["title"]),
        rx.vstack(
            rx.text(d["description"], size="2"),
            rx.text("Version " + d["version"] + " · publisher " + d["publisher"], size="1",
                    color_scheme="gray"),
            rx.text("Nodes: " + d["nodes"], size="2"),
            rx.callout.root(
                rx.callout.icon(rx.icon("shield")),
                rx.vstack(
                    rx.text("This package asks for", weight="medium", size="2"),
                    rx.text("Internet hosts: " + d["hosts"], size="2", id="market-hosts"),
                    rx.text("Credential kinds: " + d["credentials"], size="2",
                            id="market-kinds"),
                    spacing="1"),
                color_scheme="blue", id="market-permissions"),
            spacing="3"),
        rx.hstack(
            rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
            rx.button(rx.cond(d["installed"] != "", "Install " + d["version"], "Install"),
                      on_click=S.install(d["name"]), id="market-install"),
            justify="end", spacing="2", margin_top="16px"),
        id="market-detail"), open=S.detail_open, on_open_change=S.set_detail_open)


def marketplace_page() -> rx.Component:
    return admin_page(
        "Marketplace", "Node packages: browse, check what they may do, install.", S,
        rx.vstack(_catalogue(), _installed(), spacing="4", width="100%"),
        dialogs=(_detail(),))
