"""My account: password and two-factor authentication."""

from __future__ import annotations

import reflex as rx

from studio.components.shell import page, page_header
from studio.pages.login import error_box, field, qr_block, recovery_codes_list
from studio.state.auth_account import AccountState

__all__ = ["account_page"]

A = AccountState


def _section(title: str, text: str | rx.Component, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4"),
                  rx.text(text, size="2", color_scheme="gray") if isinstance(text, str)
                  else text,
                  *children, spacing="3", width="100%"),
        width="100%", max_width="560px",
    )


def _password() -> rx.Component:
    return _section(
        "Password", "Changing it signs you out everywhere else.",
        error_box(A.password_error, "password-error"),
        rx.form(
            rx.vstack(
                field("Current password", "old_password", type_="password",
                      auto="current-password"),
                field("New password", "new_password", type_="password", auto="new-password"),
                field("New password again", "confirm", type_="password",
                      auto="new-password"),
                rx.button("Change password", type="submit", id="change-password"),
                spacing="3", width="100%", align="start",
            ),
            on_submit=A.change_password, reset_on_submit=True, key=A.form_key,
            width="100%",
        ),
    )


def _code_form(label: str, handler: rx.EventHandler, id_: str, color: str = "indigo"
               ) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="code", placeholder="Code from your app", auto_complete="off",
                     input_mode="numeric", width="200px", id=f"{id_}-code"),
            rx.button(label, type="submit", variant="soft", color_scheme=color, id=id_),
            spacing="2",
        ),
        on_submit=handler, reset_on_submit=True,
    )


def _two_factor() -> rx.Component:
    on = rx.vstack(
        rx.hstack(rx.badge("On", color_scheme="green", id="totp-state"),
                  rx.text("Sign-in asks for a code from your authenticator app.", size="2"),
                  align="center", spacing="2"),
        rx.text("New recovery codes (the old ones stop working):", size="2", weight="medium"),
        _code_form("New recovery codes", A.new_recovery_codes, "new-codes"),
        rx.cond(A.required_2fa,
                rx.text("Your role requires two-factor authentication; it cannot be "
                        "turned off.", size="1", color_scheme="gray"),
                rx.vstack(rx.text("Turn it off:", size="2", weight="medium"),
                          _code_form("Turn off", A.disable, "disable-2fa", "red"),
                          spacing="2")),
        spacing="3", width="100%",
    )
    enrolling = rx.vstack(
        rx.text("Scan this with an authenticator app, then enter the code it shows.",
                size="2"),
        qr_block(A.qr_svg, A.totp_secret),
        _code_form("Turn on", A.confirm_enrolment, "confirm-2fa"),
        rx.button("Cancel", variant="ghost", size="1", on_click=A.cancel_enrolment),
        spacing="3", width="100%", align="center",
    )
    off = rx.hstack(rx.badge("Off", color_scheme="gray", id="totp-state"),
                    rx.button("Set up two-factor authentication", on_click=A.start_enrolment,
                              id="start-2fa"),
                    align="center", spacing="3")
    return _section(
        "Two-factor authentication",
        "A code from your phone in addition to your password.",
        rx.cond(A.must_enrol_2fa & ~A.totp_enabled,
                rx.callout.root(rx.callout.icon(rx.icon("shield-alert")), rx.callout.text(
                    "Your role requires two-factor authentication: set it up to use the "
                    "studio."), color_scheme="amber", id="must-enrol")),
        error_box(A.totp_error, "totp-error"),
        rx.cond(A.recovery_codes.length() > 0,
                rx.vstack(rx.text("Your recovery codes, shown only now. Each works once.",
                                  size="2", weight="medium"),
                          recovery_codes_list(A.recovery_codes),
                          rx.button("I saved them", size="1", variant="soft",
                                    on_click=A.hide_codes),
                          spacing="2", width="100%")),
        rx.cond(A.totp_enabled, on, rx.cond(A.enrolling, enrolling, off)),
    )


def account_page() -> rx.Component:
    return page(
        page_header("My account", ""),
        rx.vstack(
            rx.hstack(rx.avatar(fallback=A.user_name[:1].upper(), size="4", radius="full"),
                      rx.vstack(rx.text(A.user_name, weight="bold", id="account-name"),
                                rx.text(A.user_email, size="2", color_scheme="gray"),
                                rx.badge(A.user_role, variant="soft", id="account-role"),
                                spacing="1"),
                      align="center", spacing="3"),
            _password(),
            _two_factor(),
            spacing="4", width="100%",
        ),
    )
