"""The version history drawer: versions, what changed since each, restore, publish."""

from __future__ import annotations

import reflex as rx

from studio.state.history import HistoryState

__all__ = ["history_drawer"]

S = HistoryState
KIND_COLORS = {"added": "green", "removed": "red", "changed": "amber", "moved": "gray"}


def _version(v: rx.Var) -> rx.Component:
    n = v["number"].to(int)
    return rx.box(
        rx.hstack(
            rx.text("Version ", n, size="2", weight="bold"),
            rx.cond(v["current"].to(bool), rx.badge("draft", color_scheme="blue")),
            rx.cond(v["published"].to(bool), rx.badge("published", color_scheme="green")),
            rx.spacer(),
            rx.text(v["ago"], size="1", color_scheme="gray"),
            width="100%", align="center",
        ),
        rx.text(v["message"], size="1", color_scheme="gray"),
        rx.hstack(
            rx.button("Compare", size="1", variant="soft", on_click=S.select(n)),
            rx.cond(~v["current"].to(bool),
                    rx.button("Restore", size="1", variant="soft", color_scheme="amber",
                              on_click=S.restore(n), class_name="restore-version")),
            rx.cond(~v["published"].to(bool),
                    rx.button("Publish", size="1", variant="soft", color_scheme="green",
                              on_click=S.publish_version(n))),
            spacing="2", padding_top="6px",
        ),
        padding="10px", border_radius="8px", width="100%",
        border=rx.cond(S.selected == n, f"1px solid {rx.color('accent', 8)}",
                       f"1px solid {rx.color('gray', 5)}"),
        class_name="version-item",
    )


def _change(c: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.badge(c["kind"], color_scheme=rx.match(
            c["kind"], *[(k, v) for k, v in KIND_COLORS.items()], "gray"), size="1"),
        rx.vstack(rx.text(c["what"], size="1", weight="medium"),
                  rx.text(c["detail"], size="1", color_scheme="gray",
                          style={"word_break": "break-word"}), spacing="0"),
        align="start", spacing="2", width="100%",
    )


def history_drawer() -> rx.Component:
    return rx.drawer.root(
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(rx.drawer.content(
            rx.vstack(
                rx.hstack(rx.heading("History", size="4"), rx.spacer(),
                          rx.drawer.close(rx.icon_button(rx.icon("x", size=16),
                                                         variant="ghost", color_scheme="gray",
                                                         aria_label="Close history")),
                          width="100%"),
                rx.text("Every save is a version. The draft is what you edit; the published "
                        "version is what triggers run. Restoring makes an old version the "
                        "draft again, as a new version.", size="1", color_scheme="gray"),
                rx.cond(S.dirty, rx.callout("Unsaved changes on the canvas are lost when you "
                                            "restore.", icon="info", size="1",
                                            color_scheme="amber")),
                rx.cond(S.published > 0,
                        rx.button("Unpublish", size="1", variant="outline",
                                  color_scheme="red", on_click=S.unpublish)),
                rx.cond(S.selected > 0, rx.vstack(
                    rx.text("Changes from version ", S.selected, " to the canvas", size="2",
                            weight="bold"),
                    rx.cond(S.changes.length() == 0,
                            rx.text("No differences.", size="1", color_scheme="gray")),
                    rx.foreach(S.changes, _change),
                    spacing="2", width="100%", padding="10px", border_radius="8px",
                    background=rx.color("gray", 3), id="version-diff")),
                rx.scroll_area(rx.vstack(rx.foreach(S.versions, _version), spacing="2",
                                         width="100%"),
                               type="auto", flex="1"),
                spacing="3", height="100%", padding="16px", width="100%",
            ),
            position="fixed", top="0", right="0", left="auto", bottom="0", height="100%",
            width="380px", max_width="90vw", z_index="50",
            background=rx.color("gray", 1), id="history-drawer",
        )),
        direction="right", open=S.history_open, on_open_change=S.set_history_open,
    )
