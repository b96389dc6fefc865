"""The editor's top bar: name, save state, undo/redo, run, save, publish, history."""

from __future__ import annotations

import reflex as rx

from studio.components.inputs import commit_on_enter
from studio.state.editor import EditorState
from studio.state.history import HistoryState
from studio.state.palette import PaletteState
from studio.state.run import RunState

__all__ = ["editor_bar"]

E = EditorState


def _tip(content: str, child: rx.Component) -> rx.Component:
    return rx.tooltip(child, content=content)


def _run_on() -> rx.Component:
    """Where Run runs (this server or the workers), and Stop for a run on the workers."""
    choice = rx.select.root(
        rx.select.trigger(aria_label="Where to run", id="run-on", variant="soft"),
        rx.select.content(
            rx.select.item("Run here (this server)", value="here"),
            rx.select.item(
                "Run on workers (queue)", value="queue", disabled=~RunState.queue_available
            ),
        ),
        value=RunState.runtime,
        on_change=RunState.set_run_on,
        size="2",
    )
    tip = rx.cond(
        RunState.queue_available,
        "Where Run runs: this server, or the workers ('aura worker') via the queue",
        "Runs on workers need Redis: set AURA_REDIS_URL (or use 'aura up')",
    )
    return rx.fragment(
        rx.tooltip(choice, content=tip),
        rx.cond(
            RunState.running & (RunState.runtime == "queue"),
            rx.button(
                rx.icon("square", size=14),
                "Stop",
                color_scheme="red",
                variant="soft",
                on_click=RunState.stop,
                id="stop-run",
            ),
        ),
    )


def editor_bar() -> rx.Component:
    saved = rx.cond(
        E.dirty,
        rx.badge("Unsaved changes", color_scheme="amber", variant="soft", id="save-state"),
        rx.badge("Saved · v", E.version, color_scheme="gray", variant="soft", id="save-state"),
    )
    published = rx.cond(
        E.published > 0,
        rx.badge("Published v", E.published, color_scheme="green", variant="outline"),
        rx.badge("Not published", color_scheme="gray", variant="outline"),
    )
    return rx.hstack(
        rx.link(
            rx.icon("chevron-left", size=16),
            "Workflows",
            href="/workflows",
            size="2",
            color_scheme="gray",
            display="flex",
            align_items="center",
        ),
        rx.text("/", color_scheme="gray"),
        rx.input(
            default_value=E.name,
            key=E.current_id + E.version.to(str),
            on_blur=E.rename_workflow,
            on_key_down=commit_on_enter,
            variant="soft",
            size="2",
            width="260px",
            font_weight="600",
            aria_label="Workflow name",
            id="workflow-name",
            read_only=E.read_only,
        ),
        saved,
        published,
        rx.cond(
            E.viewer_only,
            rx.badge(
                rx.icon("lock", size=12),
                "Read only — you are a ",
                E.user_role,
                color_scheme="amber",
                variant="solid",
                size="2",
                id="read-only-badge",
            ),
        ),
        rx.spacer(),
        _tip(
            "Undo (Ctrl+Z)",
            rx.icon_button(
                rx.icon("undo-2", size=16),
                variant="ghost",
                on_click=E.undo,
                disabled=~E.can_undo,
                aria_label="Undo",
                id="undo",
            ),
        ),
        _tip(
            "Redo (Ctrl+Shift+Z)",
            rx.icon_button(
                rx.icon("redo-2", size=16),
                variant="ghost",
                on_click=E.redo,
                disabled=~E.can_redo,
                aria_label="Redo",
                id="redo",
            ),
        ),
        rx.cond(
            E.viewer_only,
            rx.fragment(),
            rx.fragment(
                _tip(
                    "Tidy up (Shift+Alt+T)",
                    rx.icon_button(
                        rx.icon("layout-grid", size=16),
                        variant="ghost",
                        on_click=E.tidy,
                        aria_label="Tidy up",
                        id="tidy",
                    ),
                ),
                _tip(
                    "Sticky note (Shift+S)",
                    rx.icon_button(
                        rx.icon("sticky-note", size=16),
                        variant="ghost",
                        on_click=E.add_sticky,
                        aria_label="Add sticky note",
                    ),
                ),
            ),
        ),
        _tip(
            "Export JSON",
            rx.icon_button(
                rx.icon("download", size=16),
                variant="ghost",
                on_click=E.export,
                aria_label="Export",
                id="export",
            ),
        ),
        _tip(
            "History",
            rx.icon_button(
                rx.icon("history", size=16),
                variant="ghost",
                on_click=HistoryState.toggle_history,
                aria_label="History",
                id="history",
            ),
        ),
        rx.separator(orientation="vertical", size="1"),
        rx.cond(
            E.viewer_only,
            rx.fragment(),
            rx.fragment(
                rx.button(
                    rx.icon("plus", size=14),
                    "Node",
                    variant="soft",
                    on_click=PaletteState.toggle_palette,
                    id="open-palette",
                ),
                rx.button(
                    rx.icon("play", size=14),
                    "Run",
                    color_scheme="green",
                    on_click=RunState.run("", False),
                    loading=RunState.running,
                    id="run-workflow",
                ),
                _run_on(),
                rx.button(
                    rx.icon("save", size=14), "Save", variant="soft", on_click=E.save, id="save"
                ),
                rx.button("Publish", variant="outline", on_click=E.publish, id="publish"),
            ),
        ),
        align="center",
        spacing="2",
        width="100%",
        padding="8px 12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
    )
