"""Items shown three ways (table, JSON, schema) in the node panel and execution pages."""

from __future__ import annotations

import reflex as rx

__all__ = ["data_view"]

_DRAG = rx.Var("((e) => e.dataTransfer.setData('text/plain', e.currentTarget.dataset.expr))")


def _table(cols: rx.Var, rows: rx.Var) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("#", width="36px"),
                rx.foreach(cols, lambda c: rx.table.column_header_cell(c)))),
            rx.table.body(rx.foreach(rows, lambda r, i: rx.table.row(
                rx.table.cell(rx.text(i + 1, size="1", color_scheme="gray")),
                rx.foreach(r, lambda cell: rx.table.cell(rx.text(cell, size="1"),
                                                         white_space="nowrap")),
            ))),
            size="1", variant="surface",
        ),
        overflow="auto", max_height="100%",
    )


def _schema(schema: rx.Var) -> rx.Component:
    def row(f: rx.Var) -> rx.Component:
        return rx.hstack(
            rx.el.span(f["path"], class_name="aura-schema-path", draggable=True,
                       title="Drag into a parameter to use this field",
                       custom_attrs={"data-expr": f["expression"], "onDragStart": _DRAG}),
            rx.badge(f["type"], size="1", variant="soft", color_scheme="gray"),
            rx.text(f["sample"], size="1", color_scheme="gray", trim="both",
                    overflow="hidden", text_overflow="ellipsis", white_space="nowrap"),
            rx.spacer(),
            rx.tooltip(rx.icon_button(rx.icon("copy", size=12), size="1", variant="ghost",
                                      on_click=rx.set_clipboard(f["expression"]),
                                      aria_label="Copy expression"),
                       content=f["expression"]),
            align="center", spacing="2", width="100%", padding_x="6px", padding_y="3px",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
        )

    return rx.vstack(rx.foreach(schema, row), spacing="0", width="100%", overflow="auto")


def data_view(prefix: str, view: rx.Var, set_view: rx.EventHandler, count: rx.Var,
              cols: rx.Var, rows: rx.Var, json_text: rx.Var, schema: rx.Var,
              empty: str, extra: rx.Component | None = None) -> rx.Component:
    """Header (count, view switch) and the items in the chosen view."""
    return rx.vstack(
        rx.hstack(
            rx.text(count, rx.cond(count == 1, " item", " items"), size="1", weight="medium",
                    color_scheme="gray", id=f"{prefix}-count"),
            rx.spacer(),
            extra or rx.fragment(),
            rx.segmented_control.root(
                rx.segmented_control.item("Table", value="table"),
                rx.segmented_control.item("JSON", value="json"),
                rx.segmented_control.item("Schema", value="schema"),
                value=view, on_change=set_view, size="1", id=f"{prefix}-view",
            ),
            width="100%", align="center",
        ),
        rx.cond(
            count == 0,
            rx.center(rx.text(empty, size="2", color_scheme="gray", text_align="center"),
                      padding="32px 12px", width="100%"),
            rx.box(
                rx.match(
                    view,
                    ("json", rx.code_block(json_text, language="json", font_size="12px",
                                           wrap_long_lines=True, width="100%",
                                           custom_style={"margin": "0"})),
                    ("schema", _schema(schema)),
                    _table(cols, rows),
                ),
                width="100%", flex="1", overflow="auto", id=f"{prefix}-data",
            ),
        ),
        width="100%", height="100%", spacing="2", min_height="0",
    )
