"""The workflow editor: canvas, palette, node panel, run status, history; an n8n or
Node-RED file dropped on the canvas opens the import dialog with its report."""

from __future__ import annotations

import reflex as rx
from reflex.style import resolved_color_mode

from studio.components import flow
from studio.components.editor_bar import editor_bar
from studio.components.history import history_drawer
from studio.components.import_dialog import import_dialog
from studio.components.node_panel import node_panel
from studio.components.palette import palette
from studio.components.shell import page
from studio.components.unsaved_guard import unsaved_guard
from studio.state.editor import EditorState
from studio.state.importer import ImportState
from studio.state.node_panel import NodePanelState
from studio.state.palette import PaletteState
from studio.state.run import RunState

__all__ = ["canvas", "editor_page"]

E = EditorState


def _first_step() -> rx.Component:
    """Shown on an empty canvas: what to do first."""
    return rx.cond(
        (E.node_count == 0) & E.loaded & ~E.read_only,
        rx.center(
            rx.vstack(
                rx.button(
                    rx.icon("plus", size=28),
                    on_click=PaletteState.open_palette(""),
                    variant="outline",
                    size="4",
                    width="96px",
                    height="96px",
                    border_style="dashed",
                    aria_label="Add first step",
                    id="add-first-step",
                ),
                rx.text("Add the first step", weight="bold"),
                rx.text(
                    "Start with a trigger, e.g. Manual Trigger to run it by hand. Drag "
                    "nodes from the palette, or press N.",
                    size="2",
                    color_scheme="gray",
                    max_width="300px",
                    text_align="center",
                ),
                align="center",
                spacing="2",
                pointer_events="auto",
            ),
            position="absolute",
            inset="0",
            pointer_events="none",
            z_index="5",
        ),
    )


def _run_error() -> rx.Component:
    return rx.cond(
        RunState.run_error != "",
        rx.box(
            rx.callout.root(
                rx.callout.icon(rx.icon("circle-alert")),
                rx.callout.text(RunState.run_error),
                rx.hstack(
                    rx.cond(
                        RunState.run_error_node != "",
                        rx.button(
                            "Open node",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=NodePanelState.open_node(RunState.run_error_node),
                        ),
                    ),
                    rx.button(
                        "Dismiss",
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=RunState.dismiss_error,
                    ),
                    spacing="2",
                ),
                color_scheme="red",
                role="alert",
                id="run-error",
            ),
            position="absolute",
            bottom="16px",
            left="50%",
            transform="translateX(-50%)",
            z_index="10",
            max_width="640px",
        ),
    )


def canvas(read_only: bool = False) -> rx.Component:
    """The React Flow canvas bound to the editor state."""
    rf = flow.react_flow(
        flow.background(variant="dots", gap=20, size=1.2),
        flow.controls(show_interactive=False, position="bottom-left"),
        flow.mini_map(pannable=True, zoomable=True, position="bottom-right"),
        default_nodes=[],
        default_edges=[],
        default_edge_options={"type": "aura"},
        min_zoom=0.1,
        max_zoom=2.0,
        snap_to_grid=True,
        snap_grid=[20, 20],
        delete_key_code=None if read_only else ["Delete", "Backspace"],
        multi_selection_key_code=["Meta", "Control", "Shift"],
        nodes_draggable=not read_only,
        nodes_connectable=not read_only,
        zoom_on_double_click=False,
        only_render_visible_elements=True,
        color_mode=resolved_color_mode,
        connection_radius=24,
        on_node_drag_stop=E.on_moves,
        on_selection_drag_stop=E.on_moves,
        on_connect=E.on_connect,
        on_connect_end=PaletteState.on_connect_end,
        on_delete=E.on_delete,
        on_node_double_click=NodePanelState.open_node,
    )
    return flow.aura_canvas(
        rf,
        cmds=E.flow_cmds,
        run=RunState.node_status,
        read_only=E.read_only,
        on_drop_node=E.on_drop_node,
        on_paste=E.on_paste,
        on_drop_file=ImportState.drop_file,
        on_shortcut=E.on_shortcut,
        on_action=E.on_action,
    )


def editor_page() -> rx.Component:
    body = rx.cond(
        E.load_error != "",
        rx.center(
            rx.vstack(
                rx.heading("This workflow cannot be opened", size="4"),
                rx.text(E.load_error, color_scheme="gray"),
                rx.link("Back to workflows", href="/workflows"),
                align="center",
            ),
            height="100%",
        ),
        rx.vstack(
            editor_bar(),
            rx.hstack(
                rx.box(
                    canvas(),
                    _first_step(),
                    _run_error(),
                    flex="1",
                    height="100%",
                    position="relative",
                    min_width="0",
                    id="canvas",
                ),
                palette(),
                spacing="0",
                width="100%",
                flex="1",
                min_height="0",
            ),
            spacing="0",
            height="100vh",
            width="100%",
        ),
    )
    return page(
        body,
        node_panel(),
        history_drawer(),
        import_dialog(),
        unsaved_guard(E.dirty & ~E.read_only),
        compact=True,
        padded=False,
    )
