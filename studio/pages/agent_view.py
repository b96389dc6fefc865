"""One agent: the chat playground (each step shown live: plan, tool calls with input and
output, tokens), the editor, the run history with a step timeline, and statistics."""

from __future__ import annotations

import reflex as rx

from studio.components.shell import page, page_header
from studio.pages.agent_editor import editor_tab
from studio.pages.agents import _state_badge
from studio.state.agent_view import AgentViewState

__all__ = ["agent_page"]

S = AgentViewState
KIND_ICONS = {
    "model": "brain",
    "plan": "list-ordered",
    "tool": "wrench",
    "approval": "hand",
    "final": "flag",
}


def _step(s: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(rx.match(s["kind"], *KIND_ICONS.items(), "circle"), size=14),
                rx.badge(s["kind"], variant="soft"),
                rx.text(s["name"], weight="medium", size="2"),
                rx.spacer(),
                rx.text(s["tokens"], size="1", color_scheme="gray", class_name="step-tokens"),
                rx.text(s["duration"], size="1", color_scheme="gray"),
                width="100%",
                align="center",
            ),
            rx.cond(
                s["input"] != "",
                rx.box(
                    rx.text("Input", size="1", color_scheme="gray"),
                    rx.code_block(s["input"], language="json", width="100%"),
                    width="100%",
                    class_name="step-input",
                ),
            ),
            rx.cond(
                s["output"] != "",
                rx.box(
                    rx.text("Output", size="1", color_scheme="gray"),
                    rx.code_block(s["output"], language="json", width="100%"),
                    width="100%",
                    class_name="step-output",
                ),
            ),
            rx.cond(s["error"] != "", rx.text(s["error"], color="red", size="1")),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="agent-step",
        data_kind=s["kind"],
    )


def _message(m: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(m["text"], size="2", white_space="pre-wrap"),
        background=rx.cond(m["role"] == "user", rx.color("accent", 3), rx.color("gray", 3)),
        padding="8px 12px",
        border_radius="8px",
        max_width="90%",
        align_self=rx.cond(m["role"] == "user", "flex-end", "flex-start"),
        class_name=rx.cond(m["role"] == "user", "chat-user", "chat-agent"),
    )


def _playground() -> rx.Component:
    chat = rx.vstack(
        rx.foreach(S.chat, _message),
        rx.form(
            rx.hstack(
                rx.input(
                    value=S.prompt,
                    on_change=S.set_prompt,
                    placeholder="Ask the agent…",
                    flex="1",
                    id="agent-prompt",
                    disabled=S.running,
                ),
                rx.button(
                    rx.icon("send", size=14),
                    "Send",
                    type="submit",
                    id="agent-send",
                    loading=S.running,
                ),
                width="100%",
            ),
            on_submit=lambda _: S.send(),
            width="100%",
        ),
        rx.hstack(
            rx.text("Session ", S.session, size="1", color_scheme="gray"),
            rx.button("New conversation", size="1", variant="ghost", on_click=S.new_session),
        ),
        spacing="3",
        width="50%",
    )
    steps = rx.vstack(
        rx.hstack(
            rx.heading("Steps", size="3"),
            rx.cond(S.run_status != "", rx.badge(S.run_status, id="run-status")),
        ),
        rx.foreach(S.steps, _step),
        spacing="2",
        width="50%",
        id="agent-steps",
    )
    return rx.hstack(chat, steps, spacing="5", width="100%", align="start")


def _state_buttons() -> rx.Component:
    return rx.hstack(
        rx.button("Activate", variant="soft", on_click=S.change_state("active")),
        rx.button("Pause", variant="soft", color_scheme="amber", on_click=S.change_state("paused")),
        rx.button("Retire", variant="soft", color_scheme="red", on_click=S.change_state("retired")),
        spacing="2",
    )


def _run(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["created_at"], on_click=S.show_run(r["id"]), href="#")),
        rx.table.cell(rx.badge(r["status"])),
        rx.table.cell(r["prompt"]),
        rx.table.cell(r["answer"]),
        rx.table.cell(r["tokens"]),
        rx.table.cell(r["cost"]),
        class_name="run-row",
    )


def _history() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(h)
                    for h in ("When", "Status", "Prompt", "Answer", "Tokens", "Cost")
                ]
            )
        ),
        rx.table.body(rx.foreach(S.runs, _run)),
        variant="surface",
        width="100%",
    )
    timeline = rx.cond(
        S.timeline_run != "",
        rx.vstack(
            rx.heading("Run ", S.timeline_run, size="3"),
            rx.foreach(S.timeline, _step),
            spacing="2",
            width="100%",
            id="run-timeline",
        ),
    )
    return rx.vstack(table, timeline, spacing="4", width="100%")


def _stat(label: str, value: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"), rx.heading(value, size="5"), spacing="1"
        ),
        min_width="130px",
    )


def _statistics() -> rx.Component:
    return rx.hstack(
        _stat("Runs", S.stats["runs"]),
        _stat("Success rate", S.stats["success_rate"]),
        _stat("p50 latency", S.stats["p50"]),
        _stat("p95 latency", S.stats["p95"]),
        _stat("Tokens", S.stats["tokens"]),
        _stat("Cost", S.stats["cost"]),
        spacing="3",
        wrap="wrap",
        id="agent-stats",
    )


def agent_page() -> rx.Component:
    return page(
        rx.cond(
            S.missing != "",
            rx.callout(S.missing, icon="triangle-alert", color_scheme="red"),
            rx.vstack(
                page_header("Agent", "", _state_badge(S.agent_state)),
                rx.heading(S.name, size="5", id="agent-title"),
                rx.text(S.description, color_scheme="gray", size="2"),
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger("Playground", value="play"),
                        rx.tabs.trigger("Editor", value="edit"),
                        rx.tabs.trigger("Runs", value="runs"),
                        rx.tabs.trigger("Statistics", value="stats"),
                    ),
                    rx.tabs.content(_playground(), value="play", padding_top="16px"),
                    rx.tabs.content(editor_tab(_state_buttons()), value="edit", padding_top="16px"),
                    rx.tabs.content(_history(), value="runs", padding_top="16px"),
                    rx.tabs.content(_statistics(), value="stats", padding_top="16px"),
                    default_value="play",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
        ),
    )
