"""The node panel: input data | parameters and settings | output data, like a lab bench;
the node's name, what it is and a link to its reference page in the docs on top (the
Settings tab is :mod:`studio.components.node_settings`)."""

from __future__ import annotations

import reflex as rx
from reflex.style import resolved_color_mode

from studio.components.data_view import data_view
from studio.components.inputs import commit_on_enter
from studio.components.node_settings import node_settings
from studio.components.param_form import aura_form
from studio.components.shell import status_badge
from studio.state.node_panel import NodePanelState

__all__ = ["node_panel"]

S = NodePanelState


def _credentials() -> rx.Component:
    def slot(s: rx.Var) -> rx.Component:
        return rx.vstack(
            rx.text(s["name"], " (", s["kinds_text"], ")", size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(placeholder="Choose a credential", width="100%"),
                rx.select.content(
                    rx.select.item("None", value="__none__"),
                    rx.foreach(
                        s["options"].to(list[dict[str, str]]),
                        lambda o: rx.select.item(o["name"], value=o["id"]),
                    ),
                ),
                value=s["selected"].to(str),
                on_change=lambda v: S.set_credential(s["name"].to(str), v),
            ),
            rx.cond(
                s["options"].to(list).length() == 0,
                rx.text(
                    "No credential of this kind yet: add one on the ",
                    rx.link("Credentials page", href="/credentials"),
                    ".",
                    size="1",
                    color_scheme="gray",
                ),
            ),
            spacing="1",
            width="100%",
        )

    return rx.cond(
        S.cred_slots.length() > 0,
        rx.vstack(
            rx.heading("Credentials", size="2"),
            rx.foreach(S.cred_slots, slot),
            spacing="2",
            width="100%",
            padding_bottom="12px",
        ),
    )


def _middle() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.box(
                rx.icon("settings-2", size=18),
                padding="6px",
                border_radius="8px",
                background=rx.color("accent", 3),
                color=rx.color("accent", 11),
                display="flex",
            ),
            rx.input(
                default_value=S.node_name,
                on_blur=S.rename,
                key=S.node_id + S.rev.to(str),
                on_key_down=commit_on_enter,
                size="3",
                variant="soft",
                font_weight="600",
                flex="1",
                id="node-name",
                aria_label="Node name",
                read_only=S.read_only,
            ),
            width="100%",
            align="center",
        ),
        rx.hstack(
            rx.text(S.node_title, " · ", S.node_description, size="1", color_scheme="gray"),
            rx.link(
                rx.icon("book-open", size=12),
                "Docs",
                href=S.docs_url,
                is_external=True,
                size="1",
                id="node-docs",
                title="This node's reference in the docs (opens a new tab)",
                style={
                    "display": "inline-flex",
                    "gap": "4px",
                    "align_items": "center",
                    "white_space": "nowrap",
                },
            ),
            justify="between",
            align="start",
            width="100%",
            spacing="3",
        ),
        rx.cond(
            S.import_note != "",
            rx.callout(
                S.import_note,
                icon="triangle-alert",
                color_scheme="amber",
                size="1",
                width="100%",
                id="node-import-note",
            ),
        ),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Parameters", value="params"),
                rx.tabs.trigger("Settings", value="settings"),
            ),
            rx.tabs.content(
                rx.box(
                    _credentials(),
                    aura_form(
                        fields=S.fields,
                        values=S.values,
                        errors=S.errors,
                        previews=S.previews,
                        modes=S.modes,
                        rev=S.rev,
                        read_only=S.read_only,
                        color_mode=resolved_color_mode,
                        on_change_value=S.on_change_value,
                        on_add_item=S.on_add_item,
                        on_remove_item=S.on_remove_item,
                        on_move_item=S.on_move_item,
                        on_mode=S.on_mode,
                    ),
                    padding_top="12px",
                ),
                value="params",
            ),
            rx.tabs.content(rx.box(node_settings(), padding_top="12px"), value="settings"),
            default_value="params",
            width="100%",
        ),
        width="100%",
        spacing="2",
        padding="16px",
        overflow_y="auto",
        height="100%",
        id="node-params",
    )


def _output_extra() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.out_ports.length() > 1,
            rx.select(S.out_ports, value=S.out_port, on_change=S.set_out_port, size="1"),
        ),
        rx.cond(
            ~S.read_only,
            rx.button(
                rx.icon(rx.cond(S.pinned, "pin-off", "pin"), size=12),
                rx.cond(S.pinned, "Unpin", "Pin"),
                size="1",
                variant=rx.cond(S.pinned, "solid", "soft"),
                color_scheme="violet",
                on_click=S.pin_toggle,
                id="pin-output",
            ),
        ),
        spacing="2",
        align="center",
    )


def _column(title: str, *children: rx.Component, **props: object) -> rx.Component:
    return rx.vstack(
        rx.text(
            title,
            size="1",
            weight="bold",
            color_scheme="gray",
            style={"text_transform": "uppercase", "letter_spacing": "0.06em"},
        ),
        *children,
        height="100%",
        padding="16px",
        spacing="2",
        min_width="0",
        background=rx.color("gray", 2),
        **props,
    )


def node_panel() -> rx.Component:
    run_buttons = rx.hstack(
        rx.cond(S.node_run_status != "", status_badge(S.node_run_status)),
        rx.spacer(),
        rx.cond(
            ~S.read_only,
            rx.hstack(
                rx.button(
                    rx.icon("play", size=12),
                    "Run this node",
                    size="1",
                    on_click=S.run_this,
                    loading=S.running,
                    id="run-node",
                ),
                rx.button(
                    "Run up to here",
                    size="1",
                    variant="soft",
                    on_click=S.run_to_this,
                    loading=S.running,
                ),
                spacing="2",
            ),
        ),
        width="100%",
        align="center",
    )
    output = _column(
        "Output",
        run_buttons,
        rx.cond(
            S.node_error != "",
            rx.callout(
                S.node_error,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                width="100%",
                id="node-error",
            ),
        ),
        data_view(
            "out",
            S.out_view,
            S.set_out_view,
            S.out_count,
            S.out_cols,
            S.out_rows,
            S.out_json,
            S.out_schema,
            S.out_empty,
            _output_extra(),
        ),
        rx.cond(
            S.node_logs.length() > 0,
            rx.box(
                rx.text("Log", size="1", weight="bold"),
                rx.foreach(
                    S.node_logs, lambda line: rx.text(line, size="1", font_family="monospace")
                ),
                max_height="120px",
                overflow_y="auto",
                width="100%",
            ),
        ),
        flex="1",
        border_left=f"1px solid {rx.color('gray', 5)}",
    )
    inp = rx.cond(
        S.is_trigger,
        rx.fragment(),
        _column(
            "Input",
            data_view(
                "in",
                S.in_view,
                S.set_in_view,
                S.in_count,
                S.in_cols,
                S.in_rows,
                S.in_json,
                S.in_schema,
                S.in_empty,
            ),
            flex="1",
            border_right=f"1px solid {rx.color('gray', 5)}",
        ),
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.node_name, class_name="rt-sr-only", display="none"),
            rx.hstack(
                inp,
                rx.box(
                    _middle(),
                    flex="1.3",
                    min_width="380px",
                    height="100%",
                    background=rx.color("gray", 1),
                ),
                output,
                spacing="0",
                width="100%",
                height="100%",
                align="stretch",
            ),
            rx.dialog.close(
                rx.icon_button(
                    rx.icon("x", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    position="absolute",
                    top="8px",
                    right="8px",
                    aria_label="Close node panel",
                    id="close-node-panel",
                )
            ),
            max_width="min(1500px, 96vw)",
            width="96vw",
            height="88vh",
            padding="0",
            overflow="hidden",
            id="node-panel",
        ),
        open=S.panel_open,
        on_open_change=S.set_panel_open,
    )
