"""The help menu at the foot of the navigation rail: links into the docs site the studio's
own server serves at ``/docs`` (guides and the references generated from the code), each
opening in a new tab so the work in the studio stays where it is."""

from __future__ import annotations

import reflex as rx

__all__ = ["HELP_LINKS", "help_menu"]

HELP_LINKS = [
    ("Documentation", "/docs/", "book-open"),
    ("Getting started", "/docs/getting-started.html", "rocket"),
    ("Concepts", "/docs/concepts.html", "lightbulb"),
    ("Node reference", "/docs/reference/nodes/index.html", "boxes"),
    ("HTTP API reference", "/docs/reference/api.html", "braces"),
    ("Going to production", "/docs/production.html", "server"),
]
"""(label, URL, icon) of each entry; the pages are on the docs site (``/docs``)."""


def _entry(label: str, href: str, icon: str) -> rx.Component:
    return rx.menu.item(
        rx.el.a(
            rx.icon(icon, size=14),
            label,
            href=href,
            target="_blank",
            rel="noopener",
            id=f"help-{label.lower().replace(' ', '-')}",
            style={"display": "flex", "gap": "8px", "align_items": "center"},
        ),
        as_child=True,
    )


def help_menu() -> rx.Component:
    """A "?" button opening the menu of :data:`HELP_LINKS`."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("circle-help", size=18),
                variant="ghost",
                color_scheme="gray",
                size="2",
                id="help-menu",
                aria_label="Help and documentation",
            )
        ),
        rx.menu.content(
            *[_entry(label, href, icon) for label, href, icon in HELP_LINKS],
            side="top",
            align="start",
        ),
    )
