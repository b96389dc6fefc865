"""MCP servers of a project (``/mcp-servers``): the list, a form to add or edit one (HTTP
with a credential, or a program started over stdio), remove, and *Test connection*
showing the tools an agent would be offered."""

from __future__ import annotations

import reflex as rx

from studio.components.admin import confirm_dialog, dialog_buttons
from studio.components.form_field import labelled_field
from studio.components.shell import empty_state, page, page_header
from studio.state.mcp_servers import McpServersState

__all__ = ["mcp_servers_page"]

S = McpServersState


def _field(label: str, key: str, control: rx.Component, hint: str = "") -> rx.Component:
    return labelled_field(S.errors, key, label, control, f"mcp-{key}", hint)


def _input(label: str, key: str, hint: str = "", placeholder: str = "") -> rx.Component:
    return _field(
        label,
        key,
        rx.input(
            value=S.form[key],
            on_change=lambda v: S.set_form(key, v),
            placeholder=placeholder,
            id=f"mcp-{key}",
            width="100%",
        ),
        hint,
    )


def _lines(label: str, key: str, hint: str, placeholder: str) -> rx.Component:
    return _field(
        label,
        key,
        rx.text_area(
            value=S.form[key],
            on_change=lambda v: S.set_form(key, v),
            placeholder=placeholder,
            rows="3",
            id=f"mcp-{key}",
            width="100%",
        ),
        hint,
    )


def _http_fields() -> rx.Component:
    credential = _field(
        "Credential (optional)",
        "credential_id",
        rx.select.root(
            rx.select.trigger(
                placeholder="None: the server needs no token", id="mcp-credential_id", width="100%"
            ),
            rx.select.content(
                rx.foreach(S.credentials, lambda c: rx.select.item(c["label"], value=c["id"]))
            ),
            value=S.form["credential_id"],
            on_change=lambda v: S.set_form("credential_id", v),
        ),
        "A Bearer token or Header auth credential; its header goes with each request.",
    )
    return rx.vstack(
        _input("URL", "url", "The streamable-HTTP endpoint.", "https://mcp.example.com/mcp"),
        credential,
        spacing="3",
        width="100%",
    )


def _stdio_fields() -> rx.Component:
    return rx.vstack(
        _input("Command", "command", "Started on AURA's machines (instance admins only).", "npx"),
        _lines("Arguments", "args", "One per line.", "-y\n@modelcontextprotocol/server-everything"),
        _lines(
            "Environment",
            "env",
            "NAME=value, one per line; stored in clear, so no secrets.",
            "LOG_LEVEL=info",
        ),
        _input("Working directory (optional)", "cwd"),
        spacing="3",
        width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing != "", "Edit MCP server", "Add an MCP server")),
            rx.form(
                rx.vstack(
                    _input(
                        "Name", "name", "The model sees its tools as <name>__<tool>.", "tickets"
                    ),
                    _field(
                        "Connects over",
                        "transport",
                        rx.radio_group.root(
                            rx.hstack(
                                rx.radio_group.item(value="http", id="mcp-transport-http"),
                                rx.text("HTTP", size="2"),
                                rx.radio_group.item(value="stdio", id="mcp-transport-stdio"),
                                rx.text("A program (stdio)", size="2"),
                                spacing="2",
                                align="center",
                            ),
                            value=S.form["transport"],
                            on_change=lambda v: S.set_form("transport", v),
                        ),
                    ),
                    rx.cond(S.form["transport"] == "stdio", _stdio_fields(), _http_fields()),
                    rx.hstack(
                        _input(
                            "Only these tools",
                            "tools",
                            "Names separated by commas; empty: all it offers.",
                        ),
                        _input("Time limit (s)", "timeout_s", "Per answer, at most 600."),
                        spacing="3",
                        width="100%",
                    ),
                    rx.cond(
                        S.form_error != "",
                        rx.callout(
                            S.form_error,
                            icon="circle-alert",
                            color_scheme="red",
                            size="1",
                            width="100%",
                            id="mcp-form-error",
                        ),
                    ),
                    dialog_buttons(rx.button("Save", type="submit", id="mcp-save")),
                    spacing="3",
                    width="100%",
                ),
                on_submit=lambda _: S.save(),
            ),
            max_width="560px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r["name"], weight="medium")),
        rx.table.cell(rx.badge(r["transport"], variant="soft")),
        rx.table.cell(rx.text(r["where"], size="2", font_family="monospace")),
        rx.table.cell(rx.text(r["credential"], size="2")),
        rx.table.cell(rx.text(r["tools"], size="2")),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Test connection",
                    size="1",
                    variant="soft",
                    loading=S.testing == r["name"],
                    on_click=S.test(r["name"]),
                    class_name="mcp-test",
                ),
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.open_edit(r["name"]),
                    class_name="mcp-edit",
                ),
                rx.button(
                    "Remove",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_delete(r["name"]),
                    class_name="mcp-remove",
                ),
                spacing="2",
            )
        ),
        class_name="mcp-row",
        data_name=r["name"],
    )


def _tested() -> rx.Component:
    tool = lambda t: rx.table.row(  # noqa: E731
        rx.table.cell(rx.code(t["called_as"])),
        rx.table.cell(rx.text(t["description"], size="2")),
        rx.table.cell(rx.text(t["arguments"], size="2")),
        class_name="mcp-tool",
    )
    return rx.cond(
        (S.tested != "") & (S.testing == ""),
        rx.card(
            rx.vstack(
                rx.cond(
                    S.test_error != "",
                    rx.callout(
                        S.test_error,
                        icon="circle-alert",
                        color_scheme="red",
                        width="100%",
                        id="mcp-test-error",
                    ),
                    rx.vstack(
                        rx.text(
                            "Connected to ",
                            rx.code(S.tested),
                            ": ",
                            S.test_tools.length(),
                            " tool(s) an agent would be offered.",
                            size="2",
                            id="mcp-test-ok",
                        ),
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("The model calls it"),
                                    rx.table.column_header_cell("What it does"),
                                    rx.table.column_header_cell("Arguments"),
                                )
                            ),
                            rx.table.body(rx.foreach(S.test_tools, tool)),
                            width="100%",
                        ),
                        width="100%",
                    ),
                ),
                width="100%",
            ),
            width="100%",
            id="mcp-test-result",
        ),
    )


def _project_picker() -> rx.Component:
    return rx.hstack(
        rx.text("Project", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(id="mcp-project", min_width="220px"),
            rx.select.content(
                rx.foreach(S.projects, lambda p: rx.select.item(p["name"], value=p["id"]))
            ),
            value=S.project_id,
            on_change=S.choose_project,
        ),
        rx.spacer(),
        rx.button(rx.icon("plus", size=14), "Add an MCP server", on_click=S.open_new, id="mcp-add"),
        align="center",
        width="100%",
        padding_bottom="12px",
    )


def mcp_servers_page() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(h)
                    for h in ("Name", "Transport", "Where", "Credential", "Tools", "")
                ]
            )
        ),
        rx.table.body(rx.foreach(S.servers, _row)),
        variant="surface",
        width="100%",
    )
    return page(
        page_header(
            "MCP servers",
            "Outside tool servers (Model Context Protocol) the agents of a project may use; "
            "give an agent a server under its Tools.",
        ),
        _project_picker(),
        rx.cond(
            S.servers.length() > 0,
            rx.vstack(table, _tested(), spacing="3", width="100%"),
            empty_state(
                "plug",
                "No MCP servers in this project",
                "An MCP server offers tools, such as a ticket system's look-ups; add one, "
                "test the connection, then pick it in an agent's tools.",
            ),
        ),
        _dialog(),
        confirm_dialog(
            S.deleting != "",
            "Remove the MCP server?",
            rx.text(
                "Agents that use '",
                S.deleting,
                "' fail until it is added again or removed from their tools.",
            ),
            "Remove",
            on_confirm=S.delete,
            on_cancel=S.cancel_delete,
            id="mcp-confirm",
        ),
    )
