"""The Editor tab of an agent: instructions, model, tools picked from lists, limits,
approvals, memory and budget as form fields, each wrong one explained beside it."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.components.form_field import labelled_field
from studio.pages.agent_tools import tools_section
from studio.state.agent_editor import AgentEditorState

__all__ = ["editor_tab"]

E = AgentEditorState


def _labelled(label: str, key: str, control: rx.Component, hint: str = "") -> rx.Component:
    return labelled_field(E.errors, key, label, control, f"agent-{key}", hint)


def _input(label: str, key: str, hint: str = "", placeholder: str = "") -> rx.Component:
    return _labelled(
        label,
        key,
        rx.input(
            value=E.fields[key],
            on_change=lambda v: E.set_field(key, v),
            placeholder=placeholder,
            id=f"agent-{key}",
            width="100%",
            color_scheme=rx.cond(E.errors.contains(key), "red", "gray"),
        ),
        hint,
    )


def _choice(label: str, key: str, options: list[tuple[str, str]], hint: str = "") -> rx.Component:
    return _labelled(
        label,
        key,
        rx.select.root(
            rx.select.trigger(id=f"agent-{key}", width="100%"),
            rx.select.content(*[rx.select.item(text, value=value) for value, text in options]),
            value=E.fields[key],
            on_change=lambda v: E.set_field(key, v),
        ),
        hint,
    )


def _switch(label: str, key: str, hint: str) -> rx.Component:
    return rx.hstack(
        rx.switch(
            checked=E.fields[key] == "true",
            on_change=lambda v: E.set_switch(key, v),
            id=f"agent-{key}",
        ),
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.text(hint, size="1", color_scheme="gray"),
            spacing="0",
        ),
        align="center",
        spacing="2",
    )


def _section(title: str, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns="3", spacing="4", width="100%")


def _model() -> rx.Component:
    credential = _labelled(
        "Model credential",
        "credential_id",
        rx.select.root(
            rx.select.trigger(
                placeholder="Choose the credential of the model",
                id="agent-credential_id",
                width="100%",
            ),
            rx.select.content(
                rx.foreach(E.credentials, lambda c: rx.select.item(c["label"], value=c["id"]))
            ),
            value=E.fields["credential_id"],
            on_change=lambda v: E.set_field("credential_id", v),
        ),
        "Its base URL and key reach the model; add one under Credentials (OpenAI-compatible or "
        "Anthropic).",
    )
    return _section(
        "Model",
        _grid(
            credential,
            _choice(
                "Provider",
                "provider",
                [("openai", "OpenAI-compatible"), ("anthropic", "Anthropic")],
                "Follows the credential's kind.",
            ),
            _input("Model name", "model", "Empty: the credential's default model.", "gpt-4o-mini"),
            _input("Temperature", "temperature", "0 to 2; empty: the model's default."),
            _input("Retries", "max_retries", "On 429 and 5xx answers, 0 to 10."),
            _input("Time limit of one call (s)", "timeout_s", "Above 0, at most 600."),
        ),
        rx.hstack(
            _choice(
                "Strategy",
                "strategy",
                [("tools", "Tool-calling loop"), ("plan", "Plan and execute")],
            ),
            _switch("Stream answers", "stream", "Show the model's text as it is written."),
            spacing="5",
            align="end",
            width="100%",
        ),
    )


def _limits() -> rx.Component:
    return _section(
        "Limits and approvals",
        _grid(
            _input("Steps per run", "max_steps", "Model calls and tool calls, 1 to 1000."),
            _input("Tokens per run", "max_tokens", "In and out; empty: no limit."),
            _input("Cost per run", "max_cost", "From the price table; empty: no limit."),
            _input("Wall time per run (s)", "max_seconds", "Empty: no limit."),
            _input(
                "Approval expires after (s)",
                "approval_timeout_s",
                "Nobody decided by then: the run stops. Empty: waits until decided.",
            ),
        ),
    )


def _memory_budget() -> rx.Component:
    return _section(
        "Memory and budget",
        _grid(
            _choice(
                "Conversation memory",
                "memory_kind",
                [("window", "The last messages"), ("none", "None")],
            ),
            _input("Messages kept", "memory_window", "Per session, 1 to 1000."),
            rx.box(),
            _input("Warn past (this month)", "budget_warn", "Runs carry a warning; empty: never."),
            _input("Stop past (this month)", "budget_stop", "New runs refused; empty: never."),
        ),
    )


def editor_tab(state_buttons: rx.Component) -> rx.Component:
    """The editor; ``state_buttons`` (activate, pause, retire) sit beside Save."""
    return rx.vstack(
        _section(
            "Instructions",
            rx.text_area(
                value=E.instructions,
                on_change=E.set_instructions,
                rows="6",
                width="100%",
                id="agent-instructions",
                placeholder="What the agent is for, how it answers, when to use which tool.",
            ),
        ),
        _model(),
        tools_section(),
        _limits(),
        _memory_budget(),
        rx.cond(
            E.form_error != "",
            rx.callout(
                E.form_error, icon="circle-alert", color_scheme="red", id="agent-form-error"
            ),
        ),
        rx.hstack(
            rx.button("Save version", on_click=E.save, id="agent-save"),
            state_buttons,
            spacing="2",
        ),
        spacing="3",
        width="100%",
    )
