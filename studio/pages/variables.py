"""Variables: values every workflow reads as ``{{ $vars.KEY }}``."""

from __future__ import annotations

import reflex as rx

from studio.components.shell import empty_state, page, page_header
from studio.state.variables import VariablesState

__all__ = ["variables_page"]

S = VariablesState


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(r["key"], size="2")),
        rx.table.cell(rx.input(default_value=r["value"], key=r["key"] + r["value"],
                               on_blur=lambda v: S.update(r["key"], v), width="100%",
                               variant="soft", aria_label="Value of " + r["key"])),
        rx.table.cell(rx.code("{{ $vars.", r["key"], " }}", size="1", color_scheme="gray")),
        rx.table.cell(rx.icon_button(rx.icon("trash-2", size=14), variant="ghost",
                                     color_scheme="red", on_click=S.delete(r["key"]),
                                     aria_label="Delete " + r["key"])),
        align="center", class_name="var-row",
    )


def _add_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(placeholder="KEY, e.g. API_BASE_URL", value=S.new_key,
                     on_change=S.set_new_key, width="260px", id="var-key",
                     aria_label="Key"),
            rx.input(placeholder="Value", value=S.new_value, on_change=S.set_new_value,
                     flex="1", id="var-value"),
            rx.button(rx.icon("plus", size=14), "Add variable", type="submit", id="var-add"),
            width="100%", spacing="2",
        ),
        rx.cond(S.error != "", rx.text(S.error, color="red", size="1", padding_top="4px")),
        on_submit=lambda _: S.add(), width="100%", padding_bottom="16px",
    )


def variables_page() -> rx.Component:
    table = rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("Key", width="240px"),
            rx.table.column_header_cell("Value"),
            rx.table.column_header_cell("Use in expressions", width="240px"),
            rx.table.column_header_cell("", width="48px"),
        )),
        rx.table.body(rx.foreach(S.shown, _row)),
        variant="surface", width="100%",
    )
    return page(
        page_header("Variables", "Shared values your workflows read. Not secret: keep "
                    "passwords and tokens in Credentials."),
        _add_form(),
        rx.cond(S.rows.length() > 0,
                rx.vstack(rx.input(rx.input.slot(rx.icon("search", size=14)),
                                   placeholder="Filter", value=S.search,
                                   on_change=S.set_search, width="240px"), table,
                          spacing="3", width="100%"),
                empty_state("variable", "No variables yet",
                            "A variable holds a value many workflows share, such as a base "
                            "URL or a team channel. Add one above, then write "
                            "{{ $vars.KEY }} in any parameter.")),
    )
