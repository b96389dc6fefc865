"""Credentials: secrets that nodes use, stored encrypted; never shown again once saved."""

from __future__ import annotations

import reflex as rx

from studio.components.shell import empty_state, page, page_header
from studio.state.credentials import CredentialsState

__all__ = ["credentials_page"]

S = CredentialsState


def credentials_page() -> rx.Component:
    table = rx.table.root(
        rx.table.header(rx.table.row(rx.table.column_header_cell("Name"),
                                     rx.table.column_header_cell("Kind"))),
        rx.table.body(rx.foreach(S.rows, lambda r: rx.table.row(
            rx.table.cell(r["name"]), rx.table.cell(rx.badge(r["kind"]))))),
        variant="surface", width="100%",
    )
    return page(
        page_header("Credentials", "API keys, tokens and passwords, encrypted at rest."),
        rx.cond(S.rows.length() > 0, table,
                empty_state("key-round", "No credentials yet",
                            "Nodes that call other services (HTTP Request, AI models...) use a "
                            "credential so secrets never sit in the workflow itself.")),
    )
