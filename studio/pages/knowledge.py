"""Knowledge: the list of knowledge bases workflows search (RAG), creating and deleting
one (one base's page is :mod:`studio.pages.knowledge_base`)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.components.admin import confirm_dialog, dialog_buttons
from studio.components.shell import empty_state, page, page_header
from studio.state.knowledge import KnowledgeState

__all__ = ["delete_cell", "knowledge_page"]

S = KnowledgeState


def delete_cell(name: rx.Var, on_click: Any) -> rx.Component:
    """A table cell with the red trash button that asks before deleting ``name``."""
    return rx.table.cell(
        rx.icon_button(
            rx.icon("trash-2", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=on_click,
            aria_label="Delete " + name,
        )
    )


def _base_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["name"], href="/knowledge/" + r["id"], weight="medium")),
        rx.table.cell(r["documents"]),
        rx.table.cell(r["chunks"]),
        rx.table.cell(rx.code(r["model"], size="1", variant="ghost")),
        rx.table.cell(rx.text(r["chunking"], size="2", color_scheme="gray")),
        rx.table.cell(rx.text(r["updated"], size="2", color_scheme="gray")),
        delete_cell(r["name"], S.ask_delete(r["id"], r["name"])),
        align="center",
        class_name="kb-row",
    )


def _field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New knowledge base"),
            rx.form(
                rx.vstack(
                    _field(
                        "Name",
                        rx.input(
                            value=S.new_name,
                            on_change=S.set_new_name,
                            placeholder="e.g. Handbook",
                            id="kb-name",
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        _field(
                            "Chunk size (tokens)",
                            rx.input(
                                value=S.new_size,
                                on_change=S.set_new_size,
                                type="number",
                                id="kb-size",
                                width="100%",
                            ),
                        ),
                        _field(
                            "Overlap (tokens)",
                            rx.input(
                                value=S.new_overlap,
                                on_change=S.set_new_overlap,
                                type="number",
                                id="kb-overlap",
                                width="100%",
                            ),
                        ),
                        width="100%",
                        spacing="3",
                    ),
                    rx.text(
                        "Chunks follow headings, paragraphs and sentences; the overlap "
                        "repeats the end of one chunk at the start of the next.",
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.cond(
                        S.create_error != "",
                        rx.callout(
                            S.create_error,
                            icon="circle-alert",
                            color_scheme="red",
                            size="1",
                            width="100%",
                            id="kb-create-error",
                        ),
                    ),
                    dialog_buttons(rx.button("Create", type="submit", id="kb-create")),
                    spacing="3",
                    width="100%",
                ),
                on_submit=lambda _: S.create(),
            ),
            max_width="480px",
        ),
        open=S.create_open,
        on_open_change=S.set_create_open,
    )


def knowledge_page() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(h)
                    for h in ("Name", "Documents", "Chunks", "Model", "Size / overlap", "Updated")
                ],
                rx.table.column_header_cell("", width="48px"),
            )
        ),
        rx.table.body(rx.foreach(S.bases, _base_row)),
        variant="surface",
        width="100%",
    )
    new = rx.button(
        rx.icon("plus", size=14), "New knowledge base", on_click=S.open_create, id="new-kb"
    )
    return page(
        page_header(
            "Knowledge",
            "Documents cut into chunks and embedded, for workflows "
            "and agents to search (Knowledge: Search node).",
            new,
        ),
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(), padding="48px"),
            rx.cond(
                S.bases.length() > 0,
                table,
                empty_state(
                    "library",
                    "No knowledge bases yet",
                    "A knowledge base holds documents (Markdown, PDF, Word, web pages, "
                    "CSV…) so a workflow can find the passages that answer a question.",
                    rx.button(rx.icon("plus", size=14), "Create one", on_click=S.open_create),
                ),
            ),
        ),
        _create_dialog(),
        confirm_dialog(
            S.confirm_id != "",
            "Delete " + S.confirm_name + "?",
            "Its documents, chunks and vectors are deleted; workflows that search it will fail.",
            "Delete",
            on_confirm=S.confirm_delete,
            on_cancel=S.cancel_delete,
            id="kb-delete",
        ),
    )
