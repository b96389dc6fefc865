"""Agents: the list (name, state, model, tools, version), a form to create one, and the
approvals inbox (``/approvals``): tool calls that wait for the user's decision."""

from __future__ import annotations

import reflex as rx

from studio.components.shell import empty_state, page, page_header
from studio.state.agents import AgentsState

__all__ = ["agents_page", "approvals_page"]

S = AgentsState
STATE_COLORS = {"draft": "gray", "active": "green", "paused": "amber", "retired": "red"}


def _state_badge(state: rx.Var) -> rx.Component:
    return rx.badge(state, color_scheme=rx.match(state, *STATE_COLORS.items(), "gray"))


def _row(a: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(a["name"], href="/agents/" + a["id"], weight="medium")),
        rx.table.cell(_state_badge(a["state"])),
        rx.table.cell(rx.text(a["model"], size="2")),
        rx.table.cell(a["tools"]),
        rx.table.cell("v" + a["version"]),
        rx.table.cell(rx.text(a["description"], size="2", color_scheme="gray")),
        class_name="agent-row",
    )


def _create() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                placeholder="New agent's name",
                value=S.new_name,
                on_change=S.set_new_name,
                width="280px",
                id="agent-name",
                aria_label="New agent's name",
            ),
            rx.button(rx.icon("plus", size=14), "New agent", type="submit", id="agent-create"),
            spacing="2",
        ),
        rx.cond(S.error != "", rx.text(S.error, color="red", size="1")),
        on_submit=lambda _: S.create(),
        padding_bottom="16px",
    )


def agents_page() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(h)
                    for h in ("Name", "State", "Model", "Tools", "Version", "Description")
                ]
            )
        ),
        rx.table.body(rx.foreach(S.agents, _row)),
        variant="surface",
        width="100%",
    )
    inbox = rx.link(
        rx.button(
            rx.icon("inbox", size=14),
            "Approvals (",
            S.approvals.length(),
            ")",
            variant="soft",
            id="approvals-link",
        ),
        href="/approvals",
    )
    servers = rx.link(
        rx.button(
            rx.icon("plug", size=14),
            "MCP servers",
            variant="soft",
            color_scheme="gray",
            id="mcp-servers-link",
        ),
        href="/mcp-servers",
    )
    return page(
        page_header(
            "Agents",
            "Language models with instructions and tools, run on the "
            "workers; try them in the playground.",
            servers,
            inbox,
        ),
        _create(),
        rx.cond(
            S.agents.length() > 0,
            table,
            empty_state(
                "bot",
                "No agents yet",
                "An agent answers questions with a model and calls the tools you "
                "give it: workflows, HTTP, knowledge search. Name one above.",
            ),
        ),
    )


def _expiry(a: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon("timer", size=14),
        rx.text(a["expires"], size="2"),
        color=rx.cond(a["urgent"] == "true", "var(--red-11)", "var(--gray-11)"),
        align="center",
        spacing="1",
        class_name="approval-expiry",
    )


def _head(a: rx.Var, *badges: rx.Component) -> rx.Component:
    return rx.hstack(
        *badges,
        rx.text(a["title"], weight="medium"),
        rx.spacer(),
        rx.text(a["created_at"], size="1", color_scheme="gray"),
        width="100%",
        align="center",
    )


def _expired(a: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            _head(a, rx.badge("expired", color_scheme="red"), rx.badge(a["kind"], variant="soft")),
            _expiry(a),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="approval-expired",
    )


def _approval(a: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            _head(a, rx.badge(a["kind"])),
            _expiry(a),
            rx.code_block(a["subject"], language="json", width="100%"),
            rx.hstack(
                rx.button(
                    "Approve",
                    color_scheme="green",
                    on_click=S.decide(a["id"], "approve"),
                    class_name="approve",
                ),
                rx.button(
                    "Reject",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.decide(a["id"], "reject"),
                    class_name="reject",
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="approval",
    )


def approvals_page() -> rx.Component:
    return page(
        page_header(
            "Approvals",
            "Tool calls of agents (and Approval nodes) waiting for your "
            "decision; the run goes on once you decide.",
        ),
        rx.cond(
            S.approvals.length() > 0,
            rx.vstack(rx.foreach(S.approvals, _approval), spacing="3", width="100%"),
            empty_state(
                "inbox",
                "Nothing waits for you",
                "When an agent wants to call a tool marked sensitive, the call "
                "waits here until someone approves or rejects it.",
            ),
        ),
        rx.cond(
            S.expired.length() > 0,
            rx.vstack(
                rx.heading("Expired recently", size="3"),
                rx.text(
                    "Nobody decided these in time: an agent's call was not made, an "
                    "Approval node went on by its timeout output.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.foreach(S.expired, _expired),
                spacing="3",
                width="100%",
                padding_top="24px",
                id="approvals-expired",
            ),
        ),
    )
