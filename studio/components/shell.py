"""The frame around every page: the navigation rail, page header and empty states."""

from __future__ import annotations

import reflex as rx
from reflex.style import resolved_color_mode

from studio.auth import AuthState
from studio.components.flow_css import canvas_style
from studio.components.help_menu import help_menu

__all__ = ["empty_state", "page", "page_header", "status_badge", "user_menu"]

NAV = [
    ("Workflows", "/workflows", "workflow"),
    ("Executions", "/executions", "list-checks"),
    ("Analytics", "/analytics", "chart-column"),
    ("Agents", "/agents", "bot"),
    ("Knowledge", "/knowledge", "library"),
    ("Credentials", "/credentials", "key-round"),
    ("Variables", "/variables", "variable"),
    ("Settings", "/settings", "settings"),
]

ADMIN_NAV = [
    ("Users", "/admin/users", "users"),
    ("Projects", "/admin/projects", "folder-kanban"),
    ("API keys", "/admin/api-keys", "key-square"),
    ("Audit log", "/admin/audit", "scroll-text"),
    ("Security", "/admin/security", "shield"),
    ("Marketplace", "/admin/marketplace", "store"),
]
"""The Admin section: owners and admins see all of it; everyone else sees only their
API keys."""
ADMIN_ONLY = {"/settings"}
"""Nav links shown to owners and admins only (the pages refuse others anyway)."""

STATUS_COLORS = {
    "succeeded": "green",
    "failed": "red",
    "running": "blue",
    "queued": "gray",
    "waiting": "amber",
    "cancelled": "gray",
    "crashed": "red",
    "pinned": "violet",
    "disabled": "gray",
    "reused": "gray",
}


def _nav_item(label: str, href: str, icon: str, compact: bool) -> rx.Component:
    active = rx.State.router.url.path.startswith(href) | (
        (href == "/workflows") & (rx.State.router.url.path == "/")
    )
    inner = rx.hstack(
        rx.icon(icon, size=18),
        rx.cond(compact, rx.fragment(), rx.text(label, size="2", weight="medium")),
        align="center",
        spacing="3",
        padding_x="10px",
        padding_y="8px",
        border_radius="8px",
        width="100%",
        background=rx.cond(active, rx.color("accent", 4), "transparent"),
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        _hover={"background": rx.color("gray", 4)},
    )
    link = rx.link(
        inner,
        href=href,
        underline="none",
        width="100%",
        aria_label=label,
        id=f"nav-{label.lower().replace(' ', '-')}",
        aria_current=rx.cond(active, "page", "false"),
    )
    return rx.tooltip(link, content=label, side="right") if compact else link


def user_menu(compact: bool = False) -> rx.Component:
    """Who is signed in (name and role), with My account and Sign out."""
    trigger = rx.button(
        rx.avatar(fallback=AuthState.user_name[:1].upper(), size="1", radius="full"),
        rx.cond(
            compact,
            rx.fragment(),
            rx.vstack(
                rx.text(
                    AuthState.user_name,
                    size="1",
                    weight="medium",
                    line_height="16px",
                    max_width="100px",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    white_space="nowrap",
                ),
                rx.text(AuthState.user_role, size="1", color_scheme="gray", line_height="16px"),
                spacing="0",
                gap="2px",
                align="start",
            ),
        ),
        variant="ghost",
        color_scheme="gray",
        size="2",
        id="user-menu",
        aria_label="Account menu",
        height="auto",
        padding="4px",
    )
    return rx.menu.root(
        rx.menu.trigger(trigger),
        rx.menu.content(
            rx.box(rx.text(AuthState.user_email, size="1", color_scheme="gray"), padding="4px 8px"),
            rx.menu.item(
                rx.icon("user", size=14),
                "My account",
                on_click=rx.redirect("/account"),
                id="menu-account",
            ),
            rx.menu.separator(),
            rx.menu.item(
                rx.icon("log-out", size=14),
                "Sign out",
                color_scheme="red",
                on_click=AuthState.logout,
                id="menu-logout",
            ),
            side="top",
            align="start",
        ),
    )


def _admin_nav(compact: bool) -> rx.Component:
    heading = rx.cond(
        compact,
        rx.separator(size="4", margin_y="6px"),
        rx.text("Admin", size="1", weight="medium", color_scheme="gray", padding="14px 10px 2px"),
    )
    section = rx.vstack(
        heading,
        *[_nav_item(label, href, icon, compact) for label, href, icon in ADMIN_NAV],
        spacing="1",
        width="100%",
        id="nav-admin",
    )
    keys = _nav_item(*ADMIN_NAV[2], compact)
    return rx.cond(AuthState.is_admin, section, keys)


def sidebar(compact: bool = False) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.box(
                rx.icon("zap", size=16, color="white"),
                background=rx.color("accent", 9),
                border_radius="6px",
                padding="5px",
                display="flex",
            ),
            rx.cond(
                compact,
                rx.fragment(),
                rx.heading("AURA", size="4", weight="bold", letter_spacing="0.04em"),
            ),
            align="center",
            spacing="2",
            padding_x="8px",
            padding_bottom="12px",
        ),
        *[
            rx.cond(AuthState.is_admin, _nav_item(label, href, icon, compact))
            if href in ADMIN_ONLY
            else _nav_item(label, href, icon, compact)
            for label, href, icon in NAV
        ],
        _admin_nav(compact),
        rx.spacer(),
        rx.flex(
            rx.color_mode.button(
                size="2",
                variant="ghost",
                id="color-mode",
                aria_label=rx.cond(
                    resolved_color_mode == "dark", "Switch to light mode", "Switch to dark mode"
                ),
            ),
            help_menu(),
            user_menu(compact),
            direction="column" if compact else "row",
            align="center",
            gap="8px",
            padding_x="0" if compact else "6px",
            width="100%",
        ),
        width="56px" if compact else "200px",
        min_width="56px" if compact else "200px",
        height="100vh",
        padding="12px 8px",
        spacing="1",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
    )


def page(*children: rx.Component, compact: bool = False, padded: bool = True) -> rx.Component:
    """A page: navigation on the left, content on the right (scrolling)."""
    return rx.hstack(
        canvas_style(),
        sidebar(compact),
        rx.box(
            *children,
            flex="1",
            height="100vh",
            overflow="auto",
            padding="24px 32px" if padded else "0",
            min_width="0",
        ),
        spacing="0",
        width="100%",
        height="100vh",
        overflow="hidden",
    )


def page_header(title: str, subtitle: str = "", *actions: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size="6"),
            rx.text(subtitle, size="2", color_scheme="gray") if subtitle else rx.fragment(),
            spacing="1",
        ),
        rx.spacer(),
        *actions,
        align="center",
        width="100%",
        padding_bottom="16px",
    )


def empty_state(icon: str, title: str, text: str, *actions: rx.Component) -> rx.Component:
    """What a newcomer sees instead of an empty table: what this is and what to do."""
    return rx.center(
        rx.vstack(
            rx.box(
                rx.icon(icon, size=28, color=rx.color("accent", 11)),
                padding="14px",
                background=rx.color("accent", 3),
                border_radius="50%",
                display="flex",
            ),
            rx.heading(title, size="4"),
            rx.text(text, size="2", color_scheme="gray", text_align="center", max_width="440px"),
            rx.hstack(*actions, spacing="2", padding_top="8px"),
            align="center",
            spacing="2",
        ),
        padding="56px 16px",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
        class_name="empty-state",
    )


def status_badge(status: rx.Var | str) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"),
        variant="soft",
        radius="full",
    )
