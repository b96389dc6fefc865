"""The Settings tab of the node panel: how the node behaves around its work (disabled,
on error, retries, run once, always output) and its notes, as saved on the node."""

from __future__ import annotations

import reflex as rx

from studio.state.node_panel import NodePanelState

__all__ = ["node_settings"]

S = NodePanelState


def _label(text: str, control_id: str) -> rx.Component:
    """A setting's label, tied to its control (a click on it works the control too)."""
    return rx.el.label(text, html_for=control_id, class_name="aura-setting-label")


_ON_ERROR = (
    ("stop", "Stop the workflow"),
    ("continue", "Continue (the error becomes the item)"),
    ("route", "Route to an 'error' output"),
)


def node_settings() -> rx.Component:
    """The settings form (read-only when the workflow is)."""
    row = {"justify": "between", "width": "100%", "align": "center"}
    return rx.el.fieldset(
        rx.vstack(
            rx.hstack(
                _label("Disabled (passes its input through)", "node-disabled"),
                rx.switch(checked=S.disabled, on_change=S.set_disabled, id="node-disabled"),
                **row,
            ),
            rx.hstack(
                _label("On error", "node-on-error"),
                rx.select.root(
                    rx.select.trigger(id="node-on-error"),
                    rx.select.content(
                        *[rx.select.item(label, value=value) for value, label in _ON_ERROR]
                    ),
                    value=S.on_error,
                    on_change=S.set_on_error,
                    size="1",
                ),
                **row,
            ),
            rx.text(
                "Stop: the workflow fails; continue: the error becomes the item; route: "
                "failed items go to an extra 'error' output.",
                size="1",
                color_scheme="gray",
            ),
            rx.hstack(
                _label("Retry on failure", "node-retry"),
                rx.hstack(
                    rx.cond(
                        S.retry_enabled,
                        rx.input(
                            default_value=S.retry_tries.to(str),
                            width="56px",
                            size="1",
                            on_blur=S.set_retry_tries,
                            key=S.rev.to(str),
                            aria_label="Tries",
                        ),
                    ),
                    rx.switch(
                        checked=S.retry_enabled, on_change=S.set_retry_enabled, id="node-retry"
                    ),
                    align="center",
                ),
                **row,
            ),
            rx.hstack(
                _label("Run once (first item only)", "node-execute-once"),
                rx.switch(
                    checked=S.execute_once, on_change=S.set_execute_once, id="node-execute-once"
                ),
                **row,
            ),
            rx.hstack(
                _label("Always output data", "node-always-output"),
                rx.switch(
                    checked=S.always_output,
                    on_change=S.set_always_output,
                    id="node-always-output",
                ),
                **row,
            ),
            _label("Notes (shown on the canvas)", "node-notes"),
            rx.text_area(
                default_value=S.notes,
                on_blur=S.set_notes,
                key=S.rev.to(str),
                width="100%",
                rows="3",
                id="node-notes",
            ),
            spacing="2",
            width="100%",
        ),
        disabled=S.read_only,
        style={"border": "none", "padding": "0", "margin": "0"},
    )
