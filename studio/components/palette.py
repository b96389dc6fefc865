"""The node palette: search and categories over the catalog; drag or click to add."""

from __future__ import annotations

import reflex as rx

from studio.components.flow import aura_draggable
from studio.state.palette import PaletteEntry, PaletteState

__all__ = ["palette"]

S = PaletteState


def _entry(e: PaletteEntry) -> rx.Component:
    return aura_draggable(
        rx.box(
            rx.icon(e.icon, size=18),
            padding="7px",
            border_radius="8px",
            background=rx.color("accent", 3),
            color=rx.color("accent", 11),
            display="flex",
        ),
        rx.vstack(
            rx.text(e.title, size="2", weight="medium"),
            rx.text(e.description, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        node_type=e.type,
        label="Add " + e.title,
        on_pick=S.pick,
        class_name="aura-palette-item",
    )


def _category_chip(c: rx.Var) -> rx.Component:
    return rx.button(
        c,
        size="1",
        radius="full",
        variant=rx.cond(S.category == c, "solid", "soft"),
        color_scheme=rx.cond(S.category == c, "indigo", "gray"),
        aria_pressed=rx.cond(S.category == c, "true", "false"),
        on_click=S.set_category(c),
    )


def palette() -> rx.Component:
    """A panel on the right of the canvas (``S.palette_open``)."""
    return rx.cond(
        S.palette_open & ~S.read_only,
        rx.vstack(
            rx.hstack(
                rx.heading("Add a node", size="3"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.close_palette,
                    aria_label="Close palette",
                ),
                width="100%",
                align="center",
            ),
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                placeholder="Search nodes…",
                value=S.search,
                on_change=S.set_search,
                auto_focus=True,
                width="100%",
                id="palette-search",
                aria_label="Search nodes",
                on_key_down=S.search_key,
            ),
            rx.hstack(rx.foreach(S.categories, _category_chip), wrap="wrap", spacing="1"),
            rx.text(
                "Drag a node onto the canvas, or click to add it after the last one.",
                size="1",
                color_scheme="gray",
            ),
            rx.scroll_area(
                rx.vstack(rx.foreach(S.entries, _entry), spacing="0", width="100%"),
                type="auto",
                scrollbars="vertical",
                flex="1",
                width="100%",
            ),
            width="320px",
            min_width="320px",
            height="100%",
            padding="14px",
            spacing="2",
            border_left=f"1px solid {rx.color('gray', 5)}",
            background=rx.color("gray", 1),
            id="palette",
        ),
    )
