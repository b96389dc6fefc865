"""Admin > Users: accounts with their role and 2FA, invitations, and the admin actions."""

from __future__ import annotations

import reflex as rx

from studio.components.admin import (
    admin_page,
    confirm_dialog,
    copy_field,
    dialog_buttons,
    role_badge,
)
from studio.state.admin_users import AdminUsersState

__all__ = ["admin_users_page"]

S = AdminUsersState


def _role_cell(u: rx.Var) -> rx.Component:
    picker = rx.select.root(
        rx.select.trigger(variant="ghost", aria_label="Role of " + u["email"]),
        rx.select.content(rx.foreach(S.roles, lambda r: rx.select.item(r, value=r))),
        value=u["role"], on_change=lambda r: S.change_role(u["id"], r), size="1",
    )
    return rx.cond(u["manage"] == "yes", picker, role_badge(u["role"]))


def _actions(u: rx.Var) -> rx.Component:
    return rx.cond(u["manage"] == "yes", rx.hstack(
        rx.cond(u["status"] == "active",
                rx.button("Disable", size="1", variant="soft", color_scheme="red",
                          on_click=S.ask_disable(u["id"], u["email"]),
                          aria_label="Disable " + u["email"]),
                rx.button("Enable", size="1", variant="soft",
                          on_click=S.enable(u["id"]), aria_label="Enable " + u["email"])),
        rx.cond(u["twofa"] == "on",
                rx.button("Reset 2FA", size="1", variant="soft", color_scheme="gray",
                          on_click=S.ask_reset_2fa(u["id"], u["email"]),
                          aria_label="Reset 2FA of " + u["email"])),
        spacing="2"), rx.text("—", color_scheme="gray", size="1"))


def _user_row(u: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(u["email"], weight="medium", size="2"),
                                rx.text(u["name"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(_role_cell(u)),
        rx.table.cell(rx.cond(u["status"] == "active",
                              rx.badge("active", color_scheme="green", variant="soft"),
                              rx.badge("disabled", color_scheme="red", variant="soft"))),
        rx.table.cell(rx.cond(u["twofa"] == "on",
                              rx.badge(rx.icon("shield-check", size=12), "on",
                                       color_scheme="green", variant="soft"),
                              rx.badge("off", color_scheme="gray", variant="soft"))),
        rx.table.cell(rx.text(u["last_login"], size="2", color_scheme="gray")),
        rx.table.cell(_actions(u)),
        align="center", class_name="user-row", data_email=u["email"],
    )


def _invitation_row(i: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(i["email"], size="2")),
        rx.table.cell(rx.badge(i["role"], variant="soft")),
        rx.table.cell(rx.text(i["invited_by"], size="2", color_scheme="gray")),
        rx.table.cell(rx.text(i["expires"], size="2", color_scheme="gray")),
        rx.table.cell(rx.button("Revoke", size="1", variant="soft", color_scheme="red",
                                on_click=S.ask_revoke_invitation(i["id"], i["email"]),
                                aria_label="Revoke invitation of " + i["email"])),
        align="center", class_name="invitation-row",
    )


def _invite_dialog() -> rx.Component:
    form = rx.vstack(
        rx.text("E-mail", size="2", weight="medium"),
        rx.input(value=S.invite_email, on_change=S.set_invite_email, type="email",
                 placeholder="name@example.com", width="100%", id="invite-email"),
        rx.text("Role", size="2", weight="medium"),
        rx.select.root(rx.select.trigger(width="100%", id="invite-role"),
                       rx.select.content(rx.foreach(S.roles, lambda r: rx.select.item(
                           r, value=r))),
                       value=S.invite_role, on_change=S.set_invite_role),
        rx.text("Viewers read; editors build and run workflows; admins also manage users, "
                "projects and security.", size="1", color_scheme="gray"),
        rx.cond(S.invite_error != "", rx.text(S.invite_error, color="red", size="1",
                                              id="invite-error")),
        dialog_buttons(rx.button(rx.icon("send", size=14), "Send invitation",
                                 type="submit", id="invite-send")),
        spacing="2", width="100%",
    )
    done = rx.vstack(
        rx.callout("Invitation created and e-mailed. Anyone with this link can create the "
                   "account; it is shown only now.", icon="circle-check",
                   color_scheme="green", size="1"),
        copy_field(S.invite_link, id="invite-link", label="Copy link"),
        dialog_buttons(rx.dialog.close(rx.button("Done", id="invite-done")), cancel=False),
        spacing="3", width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Invite someone"),
            rx.cond(S.invite_link != "", done,
                    rx.form(form, on_submit=lambda _: S.send_invite())),
            max_width="520px", id="invite-dialog",
        ),
        open=S.invite_open, on_open_change=S.set_invite_open,
    )


def _confirm() -> rx.Component:
    title = rx.match(S.confirm_kind, ("disable", "Disable this user?"),
                     ("reset_2fa", "Reset two-factor authentication?"),
                     "Revoke this invitation?")
    text = rx.match(
        S.confirm_kind,
        ("disable", S.confirm_label + " can no longer sign in; their sessions and API keys "
         "stop working at once. You can enable them again later."),
        ("reset_2fa", S.confirm_label + " signs in with their password only and must set "
         "up 2FA again (recovery codes stop working)."),
        S.confirm_label + " can no longer use the invitation link.")
    label = rx.match(S.confirm_kind, ("disable", "Disable"), ("reset_2fa", "Reset 2FA"),
                     "Revoke")
    return confirm_dialog(S.confirm_open, title, text, label, on_confirm=S.confirm,
                          on_cancel=S.cancel_confirm, id="users-confirm")


def admin_users_page() -> rx.Component:
    users = rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("User"), rx.table.column_header_cell("Role",
                                                                              width="130px"),
            rx.table.column_header_cell("Status", width="110px"),
            rx.table.column_header_cell("2FA", width="90px"),
            rx.table.column_header_cell("Last sign-in", width="160px"),
            rx.table.column_header_cell("", width="200px"))),
        rx.table.body(rx.foreach(S.users, _user_row)),
        variant="surface", width="100%", id="users-table",
    )
    invitations = rx.cond(
        S.invitations.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("E-mail"), rx.table.column_header_cell("Role"),
                rx.table.column_header_cell("Invited by"),
                rx.table.column_header_cell("Expires (UTC)"),
                rx.table.column_header_cell("", width="100px"))),
            rx.table.body(rx.foreach(S.invitations, _invitation_row)),
            variant="surface", width="100%", id="invitations-table"),
        rx.text("No pending invitations. Invite people by e-mail: they choose their own "
                "password from the link, which expires after a few days.", size="2",
                color_scheme="gray", id="no-invitations"),
    )
    body = rx.vstack(
        rx.input(rx.input.slot(rx.icon("search", size=14)), placeholder="Search e-mail or "
                 "name", value=S.search, on_change=S.set_search.debounce(300),
                 width="280px", id="users-search"),
        users,
        rx.heading("Pending invitations", size="4", padding_top="16px"),
        invitations,
        spacing="3", width="100%",
    )
    invite = rx.button(rx.icon("user-plus", size=14), "Invite user", on_click=S.open_invite,
                       id="invite-user")
    return admin_page("Users", "Who can sign in, with which role.", S, body, invite,
                      dialogs=(_invite_dialog(), _confirm()))
