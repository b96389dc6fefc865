"""Panels of the knowledge base page: the progress of an ingest or re-embed on the
workers (documents and chunks done, the document at work, a Cancel button), the chunk
view (a document's chunks in order, with heading, tokens, offsets and metadata) and the
model change (with its warning before anything happens)."""

from __future__ import annotations

import reflex as rx

from studio.state.knowledge_chunks import KnowledgeChunksState as C
from studio.state.knowledge_ingest import KnowledgeIngestState as G
from studio.state.knowledge_model import KnowledgeModelState as M

__all__ = ["chunks_dialog", "ingest_progress", "model_dialog"]


def ingest_progress() -> rx.Component:
    """The ingest on the workers: documents and chunks done, the document at work."""
    return rx.cond(
        G.active,
        rx.vstack(
            rx.hstack(
                rx.spinner(size="1"),
                rx.text(
                    rx.cond(
                        G.cancelling,
                        "Cancelling… (the document in progress will not be added)",
                        rx.cond(
                            G.status == "queued",
                            "Waiting for a worker…",
                            rx.cond(
                                G.kind == "reembed",
                                "Re-embedding on the workers",
                                "Ingesting on the workers",
                            ),
                        ),
                    ),
                    size="1",
                    weight="medium",
                    id="kb-ingest-state",
                ),
                rx.spacer(),
                rx.text(G.percent.to_string() + "%", size="1", id="kb-ingest-percent"),
                rx.button(
                    "Cancel",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=G.cancel,
                    disabled=G.cancelling,
                    id="kb-ingest-cancel",
                ),
                width="100%",
                align="center",
                spacing="2",
            ),
            rx.progress(value=G.percent, max=100, width="100%"),
            rx.text(
                G.documents,
                rx.cond(G.chunks != "", " · " + G.chunks, ""),
                size="1",
                id="kb-ingest-counts",
            ),
            rx.cond(G.current != "", rx.text("Now: ", G.current, size="1", color_scheme="gray")),
            id="kb-ingest",
            spacing="1",
            width="100%",
        ),
    )


def _chunk(c: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.code(c["position"], size="1", variant="soft"),
            rx.text(c["heading"], size="2", weight="medium"),
            rx.spacer(),
            rx.text(c["tokens"], size="1", color_scheme="gray"),
            align="center",
            width="100%",
            spacing="2",
        ),
        rx.text(c["text"], size="2", white_space="pre-wrap", padding_top="4px"),
        rx.cond(
            c["meta"] != "", rx.text(c["meta"], size="1", color_scheme="gray", padding_top="2px")
        ),
        padding="8px 10px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        width="100%",
        class_name="kb-chunk",
    )


def chunks_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(C.document),
            rx.dialog.description(
                C.total.to_string() + " chunks, in document order", size="2", id="kb-chunks-total"
            ),
            rx.scroll_area(
                rx.vstack(rx.foreach(C.chunks, _chunk), spacing="2", width="100%"),
                max_height="60vh",
                type="auto",
                padding_top="8px",
            ),
            rx.hstack(
                rx.cond(
                    C.more,
                    rx.button(
                        "Show more", variant="soft", on_click=C.load_more, id="kb-chunks-more"
                    ),
                ),
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                justify="end",
                spacing="2",
                padding_top="10px",
            ),
            max_width="760px",
            id="kb-chunks",
        ),
        open=C.is_open,
        on_open_change=C.set_open,
    )


def model_dialog() -> rx.Component:
    """Change the embedding model: pick or type one, read the warning, confirm."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change the embedding model"),
            rx.dialog.description(
                "Every chunk is embedded again with the new model. For an OpenAI-compatible "
                "API (OpenAI, Ollama, vLLM) type openai:<model>@<credential id> of an "
                "'OpenAI-compatible API' credential.",
                size="2",
            ),
            rx.vstack(
                rx.input(
                    value=M.model,
                    on_change=M.set_model,
                    placeholder="wordllama/l2_supercat_256 or openai:nomic-embed-text@…",
                    list="kb-models",
                    id="kb-model-input",
                    width="100%",
                ),
                rx.el.datalist(
                    rx.foreach(M.models, lambda m: rx.el.option(value=m)), id="kb-models"
                ),
                rx.cond(
                    M.error != "",
                    rx.callout(
                        M.error,
                        icon="circle-alert",
                        color_scheme="red",
                        size="1",
                        id="kb-model-error",
                        width="100%",
                    ),
                ),
                rx.cond(
                    M.warning != "",
                    rx.callout(
                        M.warning,
                        icon="triangle-alert",
                        color_scheme="amber",
                        size="1",
                        id="kb-model-warning",
                        width="100%",
                    ),
                ),
                spacing="2",
                width="100%",
                padding_top="8px",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.cond(
                    M.warning == "",
                    rx.button("Continue", on_click=M.check, loading=M.working, id="kb-model-check"),
                    rx.button(
                        "Re-embed",
                        on_click=M.confirm,
                        loading=M.working,
                        color_scheme="amber",
                        id="kb-model-confirm",
                    ),
                ),
                justify="end",
                spacing="2",
                padding_top="12px",
            ),
            max_width="520px",
            id="kb-model",
        ),
        open=M.open_,
        on_open_change=M.set_open,
    )
