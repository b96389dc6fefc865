"""Settings: appearance, instance defaults, facts, keyboard shortcuts."""

from __future__ import annotations

import reflex as rx
from reflex.style import color_mode, set_color_mode

from studio.components.shell import page, page_header
from studio.state.settings import SettingsState

__all__ = ["settings_page"]

S = SettingsState

SHORTCUTS = [
    ("Ctrl+S", "Save"), ("Ctrl+Enter", "Run the workflow"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"),
    ("Ctrl+C / Ctrl+X / Ctrl+V", "Copy, cut, paste nodes (as workflow JSON)"),
    ("Ctrl+D", "Duplicate selected nodes"), ("Ctrl+A", "Select all"),
    ("Delete / Backspace", "Delete selected nodes or connections"),
    ("Tab or N", "Open the node palette"), ("Enter / F2", "Open / rename the selected node"),
    ("D", "Disable or enable selected nodes"), ("P", "Pin or unpin the selected node's output"),
    ("Shift+S", "Add a sticky note"), ("Shift+Alt+T", "Tidy up the layout"),
    ("1", "Fit the view"), ("+ / - / 0", "Zoom in, out, reset"),
    ("Shift+drag, Ctrl+click", "Select several nodes"),
]


def _card(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="3"), *children, spacing="3",
                             width="100%"), width="100%")


def settings_page() -> rx.Component:
    return page(
        page_header("Settings", "How this AURA instance behaves."),
        rx.vstack(
            _card("Appearance",
                  rx.hstack(rx.text("Colour mode", size="2"), rx.spacer(),
                            rx.segmented_control.root(
                                rx.segmented_control.item("Light", value="light"),
                                rx.segmented_control.item("Dark", value="dark"),
                                rx.segmented_control.item("System", value="system"),
                                value=color_mode, on_change=set_color_mode,
                                id="color-mode-setting"),
                            width="100%", align="center")),
            _card("Defaults for new workflows",
                  rx.form(rx.vstack(
                      rx.text("Timezone of new workflows", size="2", weight="medium"),
                      rx.input(name="timezone", default_value=S.timezone, key=S.timezone,
                               placeholder="e.g. Europe/Paris", width="280px"),
                      rx.hstack(rx.switch(checked=S.save_manual, on_change=S.set_save_manual),
                                rx.text("New workflows record runs started from the editor",
                                        size="2"),
                                align="center"),
                      rx.cond(S.error != "", rx.text(S.error, color="red", size="1")),
                      rx.button("Save settings", type="submit", id="save-settings"),
                      spacing="2"),
                      on_submit=S.save)),
            _card("This instance",
                  rx.data_list.root(rx.foreach(S.facts, lambda f: rx.data_list.item(
                      rx.data_list.label(f["label"]), rx.data_list.value(
                          rx.code(f["value"], size="1")))))),
            _card("Keyboard shortcuts in the editor",
                  rx.grid(*[rx.fragment(rx.code(k, size="1"), rx.text(v, size="2"))
                            for k, v in SHORTCUTS], columns="2", spacing="2",
                          style={"grid_template_columns": "220px 1fr"})),
            spacing="4", max_width="760px", width="100%",
        ),
    )
