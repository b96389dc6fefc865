"""The 'Import from n8n or Node-RED' dialog of the workflows page (state:
:class:`studio.state.importer.ImportState`)."""

from __future__ import annotations

import reflex as rx

from studio.state.importer import ImportNodeRow, ImportState

__all__ = ["import_button", "import_dialog"]

S = ImportState


def import_button() -> rx.Component:
    return rx.button(
        rx.icon("file-input", size=14),
        "From n8n / Node-RED",
        variant="soft",
        on_click=S.open_import,
        id="interop-open",
    )


def _row(r: ImportNodeRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.name),
        rx.table.cell(rx.text(r.source_type, size="1", color_scheme="gray")),
        rx.table.cell(
            rx.badge(
                r.status,
                color_scheme=rx.match(
                    r.status, ("mapped", "green"), ("with notes", "amber"), "red"
                ),
            )
        ),
        rx.table.cell(rx.text(r.target, size="1")),
        rx.table.cell(rx.text(r.notes, size="1")),
        class_name="interop-row",
        data_status=r.status,
    )


def _report() -> rx.Component:
    return rx.vstack(
        rx.callout(S.import_summary, icon="info", size="1", id="interop-summary", width="100%"),
        rx.scroll_area(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Node"),
                        rx.table.column_header_cell("From"),
                        rx.table.column_header_cell("Result"),
                        rx.table.column_header_cell("AURA node"),
                        rx.table.column_header_cell("Notes"),
                    )
                ),
                rx.table.body(rx.foreach(S.import_rows, _row)),
                size="1",
                width="100%",
            ),
            max_height="260px",
            type="auto",
        ),
        rx.cond(
            S.import_credentials.length() > 0,
            rx.vstack(
                rx.text(
                    "Credentials to create, then pick on the nodes:", size="2", weight="medium"
                ),
                rx.foreach(S.import_credentials, lambda c: rx.text("• ", c, size="1")),
                spacing="1",
                id="interop-credentials",
            ),
        ),
        spacing="2",
        width="100%",
    )


def import_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Import from n8n or Node-RED"),
            rx.dialog.description(
                "Paste a workflow's JSON (n8n: Download or copy the nodes; Node-RED: Export "
                "→ JSON) or drop its file. You see what maps before anything is saved; "
                "nodes AURA cannot map become disabled placeholders that keep everything.",
                size="2",
            ),
            rx.vstack(
                rx.hstack(
                    rx.select(
                        ["auto", "n8n", "node-red"],
                        value=S.import_format,
                        on_change=S.set_import_format,
                        size="2",
                    ),
                    rx.upload.root(
                        rx.button(
                            rx.icon("upload", size=14),
                            "Choose or drop a file",
                            variant="soft",
                            type="button",
                        ),
                        id="interop-upload",
                        accept={"application/json": [".json"]},
                        on_drop=S.upload(rx.upload_files(upload_id="interop-upload")),
                        border="none",
                        padding="0",
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.text_area(
                    value=S.import_text,
                    on_change=S.set_import_text,
                    placeholder='{"nodes": [...], "connections": {...}}',
                    rows="7",
                    width="100%",
                    id="interop-text",
                    font_family="monospace",
                    font_size="12px",
                ),
                rx.button("Convert", on_click=S.convert, id="interop-convert"),
                rx.cond(
                    S.import_error != "",
                    rx.callout(
                        S.import_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        id="interop-error",
                        width="100%",
                    ),
                ),
                rx.cond(S.import_summary != "", _report()),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Save ",
                        S.import_count,
                        " workflow(s)",
                        on_click=S.save,
                        disabled=S.import_count == 0,
                        id="interop-save",
                    ),
                    justify="end",
                    width="100%",
                    spacing="2",
                ),
                spacing="3",
                width="100%",
                padding_top="8px",
            ),
            max_width="860px",
        ),
        open=S.import_open,
        on_open_change=S.set_import_open,
    )
