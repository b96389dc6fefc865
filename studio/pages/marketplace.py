"""Admin > Marketplace: the catalogue (search, verified badge, installed/update marks),
a details dialog that shows what a package may reach *before* it is installed, a progress
bar while one installs, an upload box for a package file (checked at once, installed on
confirmation), and the installed packages with enable/disable and uninstall (trusted
wheels marked "waiting for approval" until the owner approves them)."""

from __future__ import annotations

import reflex as rx

from studio.components.admin import admin_page, card, section_note
from studio.state.marketplace import MarketplaceState

__all__ = ["marketplace_page"]

S = MarketplaceState


def _badge_row(p: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond(
            p["verified"] == "yes",
            rx.badge(
                rx.icon("badge-check", size=12),
                "verified",
                color_scheme="green",
                variant="soft",
                class_name="verified-badge",
            ),
            rx.badge("unverified publisher", color_scheme="amber", variant="soft"),
        ),
        rx.cond(
            p["installed"] != "",
            rx.badge(
                "installed " + p["installed"], variant="outline", class_name="installed-badge"
            ),
        ),
        rx.cond(p["update"] == "yes", rx.badge("update available", color_scheme="blue")),
        spacing="2",
    )


def _catalogue_row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(p["title"], size="2", weight="medium"),
                rx.code(p["name"], size="1", variant="ghost"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(p["description"], size="2")),
        rx.table.cell(rx.text(p["version"], size="2")),
        rx.table.cell(_badge_row(p)),
        rx.table.cell(
            rx.button(
                "Details",
                size="1",
                variant="soft",
                on_click=S.open_detail(p["name"]),
                aria_label="Details of " + p["name"],
            )
        ),
        align="center",
        class_name="market-row",
    )


def _catalogue() -> rx.Component:
    search = rx.hstack(
        rx.input(
            placeholder="Search packages",
            value=S.search,
            on_change=S.set_search,
            id="market-search",
            width="320px",
        ),
        rx.button("Search", on_click=S.apply_search, id="market-search-go", variant="soft"),
        spacing="2",
    )
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Package"),
                rx.table.column_header_cell("Description"),
                rx.table.column_header_cell("Version", width="90px"),
                rx.table.column_header_cell("", width="260px"),
                rx.table.column_header_cell("", width="90px"),
            )
        ),
        rx.table.body(rx.foreach(S.packages, _catalogue_row)),
        variant="surface",
        width="100%",
        id="market-table",
    )
    return card(
        "Catalogue",
        rx.cond(
            S.catalogue_problem != "",
            section_note(S.catalogue_problem, icon="triangle-alert", color="amber"),
            rx.vstack(
                rx.text(
                    S.catalogue_name + " · index signed by " + S.signer,
                    size="1",
                    color_scheme="gray",
                    id="market-signer",
                ),
                search,
                table,
                spacing="3",
                width="100%",
            ),
        ),
        description="Packages run in AURA's sandbox and reach only what they declare.",
    )


def _installed_row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(p["name"], size="1")),
        rx.table.cell(rx.text(p["version"], size="2")),
        rx.table.cell(rx.badge(p["kind"], variant="soft")),
        rx.table.cell(rx.text(p["signed"], size="1")),
        rx.table.cell(rx.text(p["nodes"], size="1")),
        rx.table.cell(
            rx.cond(
                p["status"] != "",
                rx.hstack(
                    rx.badge(
                        p["status"],
                        color_scheme=rx.cond(p["status"] == "approved", "green", "amber"),
                        variant="soft",
                        class_name="wheel-status",
                    ),
                    rx.cond(
                        p["status"] == "approved",
                        rx.button(
                            "Revoke",
                            size="1",
                            color_scheme="red",
                            variant="soft",
                            on_click=S.revoke_wheel(p["name"]),
                            aria_label="Revoke " + p["name"],
                        ),
                        rx.button(
                            "Approve",
                            size="1",
                            variant="soft",
                            on_click=S.approve_wheel(p["name"], p["version"]),
                            aria_label="Approve " + p["name"],
                        ),
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.cond(
                    p["kind"] == "sandboxed",
                    rx.hstack(
                        rx.switch(
                            checked=p["enabled"] == "yes",
                            on_change=lambda on: S.toggle(p["name"], on),
                            aria_label="Enabled " + p["name"],
                        ),
                        rx.button(
                            "Uninstall",
                            size="1",
                            color_scheme="red",
                            variant="soft",
                            on_click=S.uninstall(p["name"]),
                            aria_label="Uninstall " + p["name"],
                        ),
                        spacing="2",
                        align="center",
                    ),
                ),
            )
        ),
        align="center",
        class_name="installed-row",
    )


def _installed() -> rx.Component:
    return card(
        "Installed",
        rx.cond(
            S.installed.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Package"),
                        rx.table.column_header_cell("Version", width="90px"),
                        rx.table.column_header_cell("Kind", width="100px"),
                        rx.table.column_header_cell("Signature"),
                        rx.table.column_header_cell("Nodes"),
                        rx.table.column_header_cell("", width="190px"),
                    )
                ),
                rx.table.body(rx.foreach(S.installed, _installed_row)),
                variant="surface",
                width="100%",
                id="installed-table",
            ),
            rx.text("No package installed yet.", size="2", color_scheme="gray"),
        ),
    )


def _progress() -> rx.Component:
    return rx.cond(
        S.busy != "",
        rx.callout.root(
            rx.callout.icon(rx.spinner(size="2")),
            rx.vstack(
                rx.text("Installing " + S.busy, weight="medium", size="2"),
                rx.text(S.progress_label, size="1", id="market-progress-label"),
                rx.progress(value=S.progress_value, max=100, width="100%"),
                spacing="1",
                width="100%",
            ),
            color_scheme="blue",
            width="100%",
            id="market-progress",
        ),
    )


def _asks_for(p: rx.Var, prefix: str) -> rx.Component:
    """What a package may reach, shown before it is installed (ids ``PREFIX-hosts`` and
    ``PREFIX-kinds``)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("shield")),
        rx.vstack(
            rx.text("This package asks for", weight="medium", size="2"),
            rx.text("Internet hosts: " + p["hosts"], size="2", id=f"{prefix}-hosts"),
            rx.text("Credential kinds: " + p["credentials"], size="2", id=f"{prefix}-kinds"),
            spacing="1",
        ),
        color_scheme="blue",
        id=f"{prefix}-permissions",
    )


def _upload_preview() -> rx.Component:
    u = S.upload_preview
    return rx.vstack(
        rx.hstack(
            rx.text(u["title"], weight="medium", size="3"),
            rx.code(u["name"] + " " + u["version"], size="1"),
            rx.cond(
                u["signed"] != "",
                rx.badge(
                    rx.icon("badge-check", size=12),
                    u["signed"],
                    color_scheme="green",
                    variant="soft",
                ),
                rx.badge("not signed by a trusted publisher", color_scheme="amber", variant="soft"),
            ),
            rx.cond(u["upgrade"] != "", rx.badge(u["upgrade"], color_scheme="blue")),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(u["description"], size="2"),
        rx.text("Nodes: " + u["nodes"], size="2"),
        _asks_for(u, "upload"),
        rx.cond(
            u["needs_override"] != "",
            rx.vstack(
                rx.text(
                    u["needs_override"], size="2", color_scheme="amber", id="upload-needs-override"
                ),
                rx.checkbox(
                    "Install it anyway (admin override, recorded in the audit log)",
                    checked=S.upload_override,
                    on_change=S.set_upload_override,
                    id="upload-override",
                ),
                spacing="2",
            ),
        ),
        rx.hstack(
            rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_upload),
            rx.button(
                "Install " + u["version"],
                on_click=S.confirm_upload,
                id="upload-install",
                loading=S.busy != "",
                disabled=(u["needs_override"] != "") & ~S.upload_override,
            ),
            spacing="2",
            justify="end",
            width="100%",
        ),
        spacing="3",
        width="100%",
        id="upload-preview",
    )


def _upload() -> rx.Component:
    box = rx.upload.root(
        rx.vstack(
            rx.icon("upload", size=20, color=rx.color("accent", 11)),
            rx.text("Drop a package file here or click to choose", size="2", weight="medium"),
            rx.text(
                "The .aurapkg file, with its .aurapkg.sig signature beside it if it has "
                "one. Nothing is installed until you confirm.",
                size="1",
                color_scheme="gray",
            ),
            align="center",
            spacing="1",
        ),
        id="market-upload",
        multiple=True,
        accept={
            "application/octet-stream": [".aurapkg", ".zip", ".sig"],
            "application/zip": [".aurapkg", ".zip"],
            "application/json": [".sig"],
        },
        on_drop=S.upload(rx.upload_files(upload_id="market-upload")),
        border=f"1px dashed {rx.color('gray', 7)}",
        border_radius="10px",
        padding="18px",
        width="100%",
        cursor="pointer",
    )
    problem = rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.vstack(
            rx.text(S.upload_title, weight="medium", size="2", id="upload-problem-title"),
            rx.text(S.upload_problem, size="2", id="upload-problem"),
            rx.text(S.upload_name, size="1", color_scheme="gray"),
            spacing="1",
        ),
        color_scheme="red",
        id="upload-refused",
    )
    return card(
        "Upload a package file",
        rx.vstack(
            box,
            rx.cond(S.upload_problem != "", problem),
            rx.cond(S.upload_preview.length() > 0, _upload_preview()),
            spacing="3",
            width="100%",
        ),
        description="A package you received as a file: checked before anything is installed.",
    )


def _detail() -> rx.Component:
    d = S.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(d["title"]),
            rx.vstack(
                rx.text(d["description"], size="2"),
                rx.text(
                    "Version " + d["version"] + " · publisher " + d["publisher"],
                    size="1",
                    color_scheme="gray",
                ),
                rx.text("Nodes: " + d["nodes"], size="2"),
                _asks_for(d, "market"),
                spacing="3",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.cond(d["installed"] != "", "Install " + d["version"], "Install"),
                    on_click=S.install(d["name"]),
                    id="market-install",
                ),
                justify="end",
                spacing="2",
                margin_top="16px",
            ),
            id="market-detail",
        ),
        open=S.detail_open,
        on_open_change=S.set_detail_open,
    )


def marketplace_page() -> rx.Component:
    return admin_page(
        "Marketplace",
        "Node packages: browse, check what they may do, install.",
        S,
        rx.vstack(_progress(), _catalogue(), _upload(), _installed(), spacing="4", width="100%"),
        dialogs=(_detail(),),
    )
