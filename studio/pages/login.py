"""Pages for people who are not signed in: login (with 2FA), first-run set-up,
accepting an invitation, and resetting a forgotten password."""

from __future__ import annotations

import reflex as rx

from studio.state.auth import InviteState, LoginState, ResetState, SetupState

__all__ = ["invite_page", "login_page", "reset_page", "setup_page"]

L = LoginState


def card(title: str, subtitle: rx.Component | str, *children: rx.Component) -> rx.Component:
    """The centred card every signed-out page uses."""
    return rx.center(
        rx.vstack(
            rx.hstack(
                rx.box(rx.icon("zap", size=18, color="white"), background=rx.color("accent", 9),
                       border_radius="7px", padding="6px", display="flex"),
                rx.heading("AURA", size="5", weight="bold", letter_spacing="0.04em"),
                align="center", spacing="2", padding_bottom="8px",
            ),
            rx.card(
                rx.vstack(
                    *([rx.heading(title, size="6", as_="h1")] if title else []),
                    rx.text(subtitle, size="2", color_scheme="gray") if isinstance(
                        subtitle, str) else subtitle,
                    *children,
                    spacing="4", width="100%",
                ),
                size="4", width="100%",
            ),
            align="center", width="100%", max_width="420px", spacing="3",
        ),
        min_height="100vh", padding="24px", background=rx.color("gray", 2),
    )


def field(label: str, name: str, *, type_: str = "text", auto: str = "",
          placeholder: str = "", autofocus: bool = False, **props: object) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"f-{name}"),
        rx.input(name=name, id=f"f-{name}", type=type_, auto_complete=auto or "off",
                 placeholder=placeholder, auto_focus=autofocus, size="3", width="100%",
                 **props),
        spacing="1", width="100%",
    )


def error_box(message: rx.Var, id_: str = "auth-error") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout.root(rx.callout.icon(rx.icon("circle-alert")), rx.callout.text(message),
                        color_scheme="red", role="alert", id=id_, size="1", width="100%"),
    )


def notice_box(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout.root(rx.callout.icon(rx.icon("info")), rx.callout.text(message),
                        color_scheme="green", id="auth-notice", size="1", width="100%"),
    )


def submit(label: str, id_: str) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", id=id_)


def recovery_codes_list(codes: rx.Var) -> rx.Component:
    return rx.box(
        rx.grid(rx.foreach(codes, lambda c: rx.code(c, size="3", variant="ghost")),
                columns="2", spacing="2"),
        padding="12px", border=f"1px dashed {rx.color('gray', 7)}", border_radius="8px",
        width="100%", id="recovery-codes",
    )


def qr_block(svg: rx.Var, secret: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.box(rx.html(svg), width="180px", height="180px", padding="8px",
               background="white", border_radius="8px", id="totp-qr",
               class_name="aura-qr",
               style={"& svg": {"width": "100%", "height": "100%", "display": "block"},
                      "& > div": {"width": "100%", "height": "100%"}}),
        rx.text("Can't scan it? Enter this key:", size="1", color_scheme="gray"),
        rx.code(secret, size="2", id="totp-secret", word_break="break-all"),
        align="center", spacing="2", width="100%",
    )


# -- login ------------------------------------------------------------------------------
def _sso() -> rx.Component:
    return rx.cond(
        L.sso_links.length() > 0,
        rx.vstack(
            rx.hstack(rx.separator(size="4"), rx.text("or", size="1", color_scheme="gray"),
                      rx.separator(size="4"), align="center", width="100%"),
            rx.foreach(L.sso_links, lambda o: rx.el.a(
                rx.button(rx.icon("log-in", size=14), "Continue with ", o["label"],
                          variant="outline", size="3", width="100%", type="button"),
                href=o["href"], width="100%", class_name="sso-button",
                data_provider=o["name"], style={"width": "100%"})),
            spacing="3", width="100%",
        ),
    )


def _password_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            field("E-mail", "email", type_="email", auto="username", autofocus=True,
                  placeholder="you@example.com", default_value=L.email),
            field("Password", "password", type_="password", auto="current-password"),
            submit("Sign in", "login-submit"),
            rx.link("Forgot your password?", href="/reset-password", size="2",
                    id="forgot-password"),
            spacing="3", width="100%",
        ),
        on_submit=L.submit_password, reset_on_submit=False, width="100%", id="login-form",
    )


def _code_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            field("Authentication code", "code", auto="one-time-code", autofocus=True,
                  placeholder="123456", input_mode="numeric"),
            rx.text("Lost your phone? Enter one of your recovery codes instead.", size="1",
                    color_scheme="gray"),
            submit("Verify", "code-submit"),
            rx.button("Use another account", variant="ghost", type="button", size="2",
                      on_click=L.back_to_password),
            spacing="3", width="100%",
        ),
        on_submit=L.submit_code, reset_on_submit=True, width="100%", id="code-form",
    )


def _enrol_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            qr_block(L.qr_svg, L.totp_secret),
            field("Code from the app", "code", auto="one-time-code", autofocus=True,
                  placeholder="123456", input_mode="numeric"),
            submit("Turn on two-factor authentication", "enrol-submit"),
            spacing="3", width="100%",
        ),
        on_submit=L.submit_enrolment, reset_on_submit=True, width="100%", id="enrol-form",
    )


def _codes_step() -> rx.Component:
    return rx.vstack(
        rx.text("Keep these recovery codes somewhere safe. Each works once if you lose "
                "your phone. They are shown only now.", size="2"),
        recovery_codes_list(L.recovery_codes),
        rx.button("I saved them, continue", size="3", width="100%", on_click=L.finish,
                  id="codes-done"),
        spacing="3", width="100%",
    )


def login_page() -> rx.Component:
    title = rx.match(L.step, ("code", "Two-factor authentication"),
                     ("enrol", "Set up two-factor authentication"),
                     ("codes", "Your recovery codes"), "Sign in to AURA")
    subtitle = rx.match(
        L.step,
        ("code", "Enter the 6-digit code your authenticator app shows for AURA."),
        ("enrol", "Your role requires a second factor. Scan the code with an "
                  "authenticator app (Google Authenticator, 1Password, Aegis...), then "
                  "enter the code it shows."),
        ("codes", "Two-factor authentication is on."),
        "Build, run and share workflows.")
    return card(
        "", rx.fragment(),
        rx.heading(title, size="6", as_="h1", id="login-title"),
        rx.text(subtitle, size="2", color_scheme="gray"),
        notice_box(L.notice),
        error_box(L.error),
        rx.match(L.step, ("code", _code_step()), ("enrol", _enrol_step()),
                 ("codes", _codes_step()), rx.vstack(_password_step(), _sso(), spacing="4",
                                                     width="100%")),
    )


# -- first run --------------------------------------------------------------------------
def setup_page() -> rx.Component:
    S = SetupState
    return card(
        "Welcome to AURA",
        "Create the owner account. The owner manages users, roles and security; you can "
        "invite your team afterwards.",
        error_box(S.error),
        rx.form(
            rx.vstack(
                field("Your name", "name", auto="name", autofocus=True,
                      placeholder="Ada Lovelace"),
                field("E-mail", "email", type_="email", auto="username",
                      placeholder="you@example.com"),
                field("Password", "password", type_="password", auto="new-password"),
                field("Password again", "confirm", type_="password", auto="new-password"),
                rx.text("At least 10 characters; not a common password, not your e-mail.",
                        size="1", color_scheme="gray"),
                submit("Create owner account", "setup-submit"),
                spacing="3", width="100%",
            ),
            on_submit=S.submit, reset_on_submit=False, width="100%", id="setup-form",
        ),
    )


# -- invitation -------------------------------------------------------------------------
def invite_page() -> rx.Component:
    S = InviteState
    return card(
        "Join AURA",
        "You were invited. Choose your name and a password to finish your account.",
        rx.cond(S.missing, error_box(rx.Var.create(
            "This page needs the link from your invitation e-mail (it ends with "
            "?token=...)."), "invite-missing")),
        error_box(S.error),
        rx.form(
            rx.vstack(
                field("Your name", "name", auto="name", autofocus=True),
                field("Password", "password", type_="password", auto="new-password"),
                field("Password again", "confirm", type_="password", auto="new-password"),
                submit("Create my account", "invite-submit"),
                spacing="3", width="100%",
            ),
            on_submit=S.submit, reset_on_submit=False, width="100%", id="invite-form",
        ),
    )


# -- password reset ---------------------------------------------------------------------
def reset_page() -> rx.Component:
    S = ResetState
    ask = rx.cond(
        S.sent,
        rx.callout.root(rx.callout.icon(rx.icon("mail")), rx.callout.text(
            "If an account uses that address, a link to choose a new password is on its "
            "way. It works once, for an hour."), color_scheme="green", id="reset-sent"),
        rx.form(
            rx.vstack(
                field("E-mail", "email", type_="email", auto="username", autofocus=True),
                submit("Send me a link", "reset-request"),
                spacing="3", width="100%",
            ),
            on_submit=S.request_link, width="100%", id="reset-request-form",
        ),
    )
    choose = rx.form(
        rx.vstack(
            field("New password", "password", type_="password", auto="new-password",
                  autofocus=True),
            field("New password again", "confirm", type_="password", auto="new-password"),
            submit("Set new password", "reset-submit"),
            spacing="3", width="100%",
        ),
        on_submit=S.set_password, reset_on_submit=False, width="100%", id="reset-form",
    )
    return card(
        "Reset your password",
        rx.cond(S.has_token, rx.text("Choose a new password.", size="2",
                                     color_scheme="gray"),
                rx.text("We'll e-mail you a link to choose a new one.", size="2",
                        color_scheme="gray")),
        error_box(S.error),
        rx.cond(S.has_token, choose, ask),
        rx.link("Back to sign in", href="/login", size="2"),
    )
