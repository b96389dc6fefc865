"""Pieces the admin pages share: the admin gate around a page, a value with a copy
button (invitation links, new API keys, redirect URIs), a confirmation dialog and small
badges."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.components.shell import page, page_header

__all__ = ["admin_page", "card", "confirm_dialog", "copy_field", "denied", "dialog_buttons",
           "role_badge", "section_note"]

ROLE_COLORS = {"owner": "violet", "admin": "blue", "editor": "green", "viewer": "gray"}


def denied() -> rx.Component:
    """What a non-admin sees instead of an admin page."""
    return rx.callout("You need the admin role to see this page. Ask an owner or admin of "
                      "this AURA instance if you need access.", icon="shield-alert",
                      color_scheme="amber", id="admin-denied", max_width="640px")


def admin_page(title: str, subtitle: str, state: Any, body: rx.Component,
               *actions: rx.Component, dialogs: tuple[rx.Component, ...] = ()
               ) -> rx.Component:
    """An admin page: the header, then ``body`` for owners and admins, the refusal for
    everyone else (the handlers refuse too), a spinner while loading."""
    return page(
        page_header(title, subtitle, *[rx.cond(state.allowed, a) for a in actions]),
        rx.cond(state.loaded, rx.cond(state.allowed, body, denied()),
                rx.center(rx.spinner(), padding="48px")),
        *[rx.cond(state.allowed, d) for d in dialogs],
    )


def card(title: str, *children: rx.Component, description: str = "",
         **props: Any) -> rx.Component:
    """A titled card (the settings page's look)."""
    return rx.card(rx.vstack(
        rx.heading(title, size="3"),
        rx.text(description, size="2", color_scheme="gray") if description else
        rx.fragment(),
        *children, spacing="3", width="100%"), width="100%", **props)


def copy_field(value: Any, *, id: str, label: str = "Copy") -> rx.Component:
    """A read-only value in monospace with a button that copies it."""
    return rx.hstack(
        rx.code(value, size="2", variant="soft", id=id, style={
            "overflow_wrap": "anywhere", "flex": "1", "padding": "6px 8px"}),
        rx.button(rx.icon("copy", size=14), label, size="1", variant="soft",
                  on_click=[rx.set_clipboard(value), rx.toast.info("Copied.")],
                  id=f"{id}-copy"),
        align="center", width="100%", spacing="2",
    )


def dialog_buttons(*buttons: rx.Component, cancel: bool = True) -> rx.Component:
    """The bottom row of a dialog: Cancel (closes it), then ``buttons``, on the right."""
    close = rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray",
                                      type="button"))
    return rx.hstack(rx.spacer(), *([close] if cancel else []), *buttons, width="100%",
                     padding_top="8px")


def confirm_dialog(open_: Any, title: Any, description: Any, confirm_label: Any, *,
                   on_confirm: Any, on_cancel: Any, id: str = "admin-confirm"
                   ) -> rx.Component:
    """An 'are you sure' dialog for a change that cannot simply be undone."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(rx.alert_dialog.cancel(rx.button("Cancel", variant="soft",
                                                       color_scheme="gray",
                                                       on_click=on_cancel)),
                      rx.alert_dialog.action(rx.button(confirm_label, color_scheme="red",
                                                       on_click=on_confirm,
                                                       id=f"{id}-ok")),
                      justify="end", spacing="2", padding_top="12px"),
            max_width="440px", id=id,
        ),
        open=open_,
    )


def role_badge(role: Any) -> rx.Component:
    return rx.badge(role, color_scheme=rx.match(
        role, *[(k, v) for k, v in ROLE_COLORS.items()], "gray"), variant="soft",
        radius="full")


def section_note(text: Any, icon: str = "info", color: str = "gray") -> rx.Component:
    return rx.callout(text, icon=icon, color_scheme=color, size="1", width="100%")
