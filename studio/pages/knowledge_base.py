"""One knowledge base: its documents, adding documents (upload, pasted text, URL),
deleting one, and a test search showing scores and which search (vector, full text)
matched each chunk."""

from __future__ import annotations

import reflex as rx

from studio.components.admin import card, confirm_dialog
from studio.components.knowledge_panels import chunks_dialog, ingest_progress, model_dialog
from studio.components.shell import page
from studio.pages.knowledge import delete_cell
from studio.state.knowledge_base import UPLOAD_TYPES, KnowledgeBaseState
from studio.state.knowledge_chunks import KnowledgeChunksState
from studio.state.knowledge_model import KnowledgeModelState

__all__ = ["knowledge_base_page"]

B = KnowledgeBaseState
C = KnowledgeChunksState


def _doc_row(d: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                d["name"],
                weight="medium",
                on_click=C.open(d["id"], d["name"]),
                cursor="pointer",
                class_name="kb-doc-open",
                title="See its chunks",
            )
        ),
        rx.table.cell(rx.code(d["type"], size="1", variant="ghost")),
        rx.table.cell(d["chunks"]),
        rx.table.cell(rx.text(d["updated"], size="2", color_scheme="gray")),
        delete_cell(d["name"], B.ask_delete_doc(d["id"], d["name"])),
        align="center",
        class_name="kb-doc",
    )


def _result(r: rx.Var) -> rx.Component:
    ok = (r["status"] != "failed") & (r["status"] != "cancelled")
    return rx.hstack(
        rx.icon(
            rx.cond(ok, "circle-check", "circle-alert"),
            size=14,
            color=rx.cond(ok, rx.color("green", 10), rx.color("red", 10)),
        ),
        rx.text(r["name"], size="1", weight="medium"),
        rx.text(
            rx.cond(ok, r["detail"], r["error"]),
            size="1",
            color=rx.cond(ok, rx.color("gray", 11), rx.color("red", 11)),
        ),
        align="center",
        spacing="2",
        class_name="kb-result",
    )


def _add_card() -> rx.Component:
    upload = rx.upload.root(
        rx.vstack(
            rx.icon("upload", size=20, color=rx.color("accent", 11)),
            rx.text("Drop files here or click to choose", size="2", weight="medium"),
            rx.text(
                "Text, Markdown, HTML, PDF, Word (.docx), CSV, JSON · up to 20 MB",
                size="1",
                color_scheme="gray",
            ),
            align="center",
            spacing="1",
        ),
        id="kb-upload",
        multiple=True,
        accept=UPLOAD_TYPES,
        on_drop=B.upload(rx.upload_files(upload_id="kb-upload")),
        border=f"1px dashed {rx.color('gray', 7)}",
        border_radius="10px",
        padding="18px",
        width="100%",
        cursor="pointer",
    )
    paste = rx.vstack(
        rx.input(
            value=B.paste_name,
            on_change=B.set_paste_name,
            placeholder="Name",
            id="kb-paste-name",
            width="100%",
        ),
        rx.text_area(
            value=B.paste_text,
            on_change=B.set_paste_text,
            rows="4",
            placeholder="Paste text or Markdown",
            id="kb-paste-text",
            width="100%",
        ),
        rx.button(
            "Add text", on_click=B.add_text, variant="soft", id="kb-add-text", disabled=B.busy
        ),
        spacing="2",
        width="100%",
        align="end",
    )
    url = rx.hstack(
        rx.input(value=B.url, on_change=B.set_url, placeholder="https://…", id="kb-url", flex="1"),
        rx.button("Fetch", on_click=B.add_url, variant="soft", id="kb-add-url", disabled=B.busy),
        width="100%",
        spacing="2",
    )
    return card(
        "Add documents",
        upload,
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Paste text", value="paste"),
                rx.tabs.trigger("From a URL", value="url"),
            ),
            rx.tabs.content(paste, value="paste", padding_top="10px"),
            rx.tabs.content(url, value="url", padding_top="10px"),
            default_value="paste",
            width="100%",
        ),
        ingest_progress(),
        rx.cond(
            B.busy,
            rx.hstack(
                rx.spinner(size="1"),
                rx.text("Reading, chunking and embedding…", size="1"),
                id="kb-busy",
                spacing="2",
            ),
        ),
        rx.foreach(B.results, _result),
        description="A document with a name the base already holds replaces it.",
    )


def _hit(h: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(h["document"], weight="medium", size="2", class_name="kb-hit-doc"),
            rx.cond(
                h["heading"] != "", rx.text("· " + h["heading"], size="2", color_scheme="gray")
            ),
            rx.spacer(),
            rx.badge(h["matched"], variant="soft", color_scheme="indigo"),
            rx.cond(
                (h["similarity"] != "") & (h["matched"] != "vector"),
                rx.text(h["similarity"], size="1", color_scheme="gray"),
            ),
            rx.code(h["score"], size="1", variant="ghost"),
            align="center",
            width="100%",
            spacing="2",
        ),
        rx.text(h["text"], size="2", white_space="pre-wrap", padding_top="4px"),
        rx.cond(
            h["meta"] != "", rx.text(h["meta"], size="1", color_scheme="gray", padding_top="2px")
        ),
        padding="10px 12px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        width="100%",
        class_name="kb-hit",
    )


def _search_card() -> rx.Component:
    form = rx.form(
        rx.vstack(
            rx.hstack(
                rx.input(
                    value=B.query,
                    on_change=B.set_query,
                    placeholder="Ask a question",
                    id="kb-query",
                    flex="1",
                ),
                rx.select(
                    ["hybrid", "vector", "text"], value=B.mode, on_change=B.set_mode, id="kb-mode"
                ),
                rx.input(
                    value=B.k,
                    on_change=B.set_k,
                    type="number",
                    width="64px",
                    id="kb-k",
                    aria_label="Results (k)",
                ),
                rx.button(rx.icon("search", size=14), "Search", type="submit", id="kb-search"),
                width="100%",
                spacing="2",
            ),
            rx.input(
                value=B.filters,
                on_change=B.set_filters,
                id="kb-filters",
                width="100%",
                placeholder='Filters (optional JSON), e.g. {"team": "billing"}',
                font_family="monospace",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=lambda _: B.search(),
        width="100%",
    )
    return card(
        "Test a search",
        form,
        rx.cond(
            B.search_error != "",
            rx.callout(
                B.search_error,
                icon="circle-alert",
                color_scheme="red",
                size="1",
                width="100%",
                id="kb-search-error",
            ),
        ),
        rx.cond(
            B.searched & (B.hits.length() == 0),
            rx.text("Nothing found.", size="2", color_scheme="gray", id="kb-no-hits"),
        ),
        rx.vstack(rx.foreach(B.hits, _hit), spacing="2", width="100%", id="kb-hits"),
        description="Score: cosine similarity (vector), bm25 (text) or fused rank "
        "(hybrid); the badge says which searches found the chunk.",
    )


def _title() -> rx.Component:
    """The base's name, with Rename turning it into a field."""
    edit = rx.form(
        rx.hstack(
            rx.input(
                value=B.new_name,
                on_change=B.set_new_name,
                id="kb-new-name",
                size="3",
                width="320px",
                auto_focus=True,
            ),
            rx.button("Rename", type="submit", id="kb-rename-save"),
            rx.button(
                "Cancel",
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=B.cancel_rename,
            ),
            align="center",
            spacing="2",
        ),
        on_submit=lambda _: B.rename(),
    )
    shown = rx.hstack(
        rx.heading(B.name, size="6", id="kb-title"),
        rx.icon_button(
            rx.icon("pencil", size=14),
            variant="ghost",
            color_scheme="gray",
            on_click=B.start_rename,
            aria_label="Rename",
            id="kb-rename",
        ),
        align="center",
        spacing="2",
    )
    return rx.cond(B.renaming, edit, shown)


def knowledge_base_page() -> rx.Component:
    docs = rx.cond(
        B.documents.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Document", "Type", "Chunks", "Updated")
                    ],
                    rx.table.column_header_cell("", width="48px"),
                )
            ),
            rx.table.body(rx.foreach(B.documents, _doc_row)),
            variant="surface",
            width="100%",
        ),
        rx.text(
            "No documents yet: add some on the right.",
            size="2",
            color_scheme="gray",
            id="kb-no-docs",
        ),
    )
    body = rx.hstack(
        rx.vstack(docs, _search_card(), spacing="4", flex="1", min_width="0"),
        rx.box(_add_card(), width="360px", min_width="360px"),
        align="start",
        spacing="4",
        width="100%",
    )
    return page(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14),
                rx.text("Knowledge", size="2"),
                align="center",
                spacing="1",
            ),
            href="/knowledge",
            underline="none",
            color_scheme="gray",
        ),
        rx.cond(
            B.missing != "",
            rx.callout(
                B.missing,
                icon="circle-alert",
                color_scheme="amber",
                margin_top="12px",
                id="kb-missing",
            ),
            rx.cond(
                B.name == "",
                rx.center(rx.spinner(), padding="48px"),
                rx.vstack(
                    rx.vstack(
                        _title(),
                        rx.hstack(
                            rx.text(B.summary, size="2", color_scheme="gray", id="kb-summary"),
                            rx.button(
                                "Change model",
                                size="1",
                                variant="ghost",
                                on_click=KnowledgeModelState.start,
                                id="kb-change-model",
                            ),
                            align="center",
                            spacing="3",
                        ),
                        spacing="1",
                        padding_y="12px",
                    ),
                    body,
                    spacing="0",
                    width="100%",
                ),
            ),
        ),
        chunks_dialog(),
        model_dialog(),
        confirm_dialog(
            B.confirm_doc != "",
            "Delete " + B.confirm_doc_name + "?",
            "Its chunks and vectors are deleted from this knowledge base.",
            "Delete",
            on_confirm=B.confirm_delete_doc,
            on_cancel=B.cancel_delete_doc,
            id="kb-doc-delete",
        ),
    )
