"""Admin > Security: required 2FA, sign-in methods and single sign-on, and the outbound
HTTP allow-list of workflow HTTP calls."""

from __future__ import annotations

import reflex as rx

from studio.components.admin import (
    admin_page,
    card,
    confirm_dialog,
    copy_field,
    dialog_buttons,
    section_note,
)
from studio.state.admin_security import PRESETS, AdminSecurityState

__all__ = ["admin_security_page"]

S = AdminSecurityState


def _twofa() -> rx.Component:
    def role(r: rx.Var) -> rx.Component:
        return rx.hstack(
            rx.checkbox(checked=S.twofa_roles.contains(r),
                        on_change=lambda on: S.toggle_2fa_role(r, on), id="twofa-" + r),
            rx.text(r, size="2"), align="center", spacing="2")
    return card("Two-factor authentication",
                rx.hstack(rx.foreach(S.all_roles, role), spacing="5"),
                description="People with these roles must set up an authenticator app "
                            "before they can do anything else after signing in.")


def _method_switch(method: rx.Var | str, label: rx.Var | str) -> rx.Component:
    return rx.hstack(
        rx.switch(checked=S.methods.contains(method),
                  on_change=lambda on: S.toggle_method(method, on), disabled=S.sso_missing),
        rx.text(label, size="2"), align="center", spacing="2")


def _provider_row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(p["label"], size="2", weight="medium"),
                                rx.code(p["name"], size="1", variant="ghost"), spacing="0")),
        rx.table.cell(rx.badge(p["preset"], variant="soft")),
        rx.table.cell(rx.text(p["client_id"], size="1", font_family="monospace")),
        rx.table.cell(rx.cond(p["enabled"] == "yes",
                              rx.badge("enabled", color_scheme="green", variant="soft"),
                              rx.badge("disabled", color_scheme="gray", variant="soft"))),
        rx.table.cell(rx.cond(
            p["source"] == "db",
            rx.hstack(rx.button("Edit", size="1", variant="soft",
                                on_click=S.edit_provider(p["name"])),
                      rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost",
                                     color_scheme="red",
                                     on_click=S.ask_delete_provider(p["name"]),
                                     aria_label="Delete provider " + p["name"]),
                      spacing="2"),
            rx.tooltip(rx.badge(rx.icon("lock", size=12), "environment", variant="outline"),
                       content="Set by the server's environment (AURA_OIDC_*)."))),
        align="center", class_name="provider-row",
    )


def _sign_in() -> rx.Component:
    providers = rx.cond(
        S.providers.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Provider"),
                rx.table.column_header_cell("Kind", width="110px"),
                rx.table.column_header_cell("Client ID"),
                rx.table.column_header_cell("", width="100px"),
                rx.table.column_header_cell("", width="120px"))),
            rx.table.body(rx.foreach(S.providers, _provider_row)),
            variant="surface", width="100%", id="providers-table"),
        rx.text("No single sign-on provider yet.", size="2", color_scheme="gray"))
    methods = rx.vstack(
        rx.text("Allowed sign-in methods", size="2", weight="medium"),
        _method_switch("password", "E-mail and password"),
        rx.foreach(S.providers, lambda p: _method_switch(p["method"], p["label"])),
        spacing="2")
    add = rx.button(rx.icon("plus", size=14), "Add provider", on_click=S.new_provider,
                    variant="soft", disabled=S.sso_missing, id="add-provider")
    return card("Single sign-on",
                rx.cond(S.sso_missing, section_note(
                    "Single sign-on is not installed in this build yet; password sign-in "
                    "is the only method.", color="amber")),
                methods, rx.separator(size="4"),
                rx.hstack(rx.text("Providers", size="2", weight="medium"), rx.spacer(), add,
                          width="100%", align="center"),
                providers,
                description="Let people sign in with GitHub, Google, Microsoft, GitLab or "
                            "any OpenID Connect provider.", id="sso-card")


def _field(label: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control,
                     rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
                     spacing="1", width="100%")


def _text(field: str, value: rx.Var, placeholder: str = "", **props: object) -> rx.Component:
    return rx.input(value=value, on_change=lambda v: S.set_provider_field(field, v),
                    placeholder=placeholder, width="100%", **props)


def _provider_dialog() -> rx.Component:
    preset = S.p_preset
    form = rx.vstack(
        _field("Kind", rx.select.root(
            rx.select.trigger(width="100%", id="provider-preset"),
            rx.select.content(*[rx.select.item(label, value=v) for v, label in PRESETS]),
            value=preset, on_change=lambda v: S.set_provider_field("p_preset", v))),
        _field("Name", _text("p_name", S.p_name, "e.g. google or corp",
                             disabled=S.editing != "", id="provider-name"),
               "Lower-case letters, digits and dashes; part of the redirect URI."),
        _field("Redirect URI to register at the provider",
               copy_field(S.p_redirect_uri, id="provider-redirect", label="Copy")),
        _field("Button label", _text("p_label", S.p_label, "e.g. Sign in with Corp SSO")),
        _field("Client ID", _text("p_client_id", S.p_client_id, id="provider-client-id")),
        _field("Client secret", rx.input(
            type="password", value=S.p_secret, autocomplete="new-password",
            on_change=lambda v: S.set_provider_field("p_secret", v), width="100%",
            placeholder=rx.cond(S.p_secret_set, "•••••••• stored; type to replace",
                                "the secret the provider gave you"),
            id="provider-secret"),
            "Write-only: stored encrypted and never shown again."),
        rx.cond(preset == "oidc", _field("Issuer URL", _text(
            "p_issuer", S.p_issuer, "https://login.example.com/realms/main"))),
        rx.cond(preset == "microsoft", _field("Tenant", _text(
            "p_tenant", S.p_tenant, "organizations, common, or a tenant id / domain"))),
        rx.cond((preset == "gitlab") | (preset == "github"), _field(
            "Base URL (self-hosted only)", _text("p_base_url", S.p_base_url,
                                                 "https://gitlab.example.com"))),
        _field("Scopes", _text("p_scopes", S.p_scopes, "default scopes when empty")),
        rx.hstack(rx.switch(checked=S.p_auto_create,
                            on_change=lambda v: S.set_provider_field("p_auto_create", v)),
                  rx.text("Create an account on first sign-in, with role", size="2"),
                  rx.select.root(rx.select.trigger(),
                                 rx.select.content(*[rx.select.item(r, value=r) for r in
                                                     ("viewer", "editor", "admin")]),
                                 value=S.p_default_role, size="1",
                                 on_change=lambda v: S.set_provider_field("p_default_role",
                                                                          v)),
                  align="center", spacing="2"),
        rx.hstack(rx.switch(checked=S.p_enabled,
                            on_change=lambda v: S.set_provider_field("p_enabled", v)),
                  rx.text("Enabled", size="2"), align="center", spacing="2"),
        rx.cond(S.provider_error != "", rx.text(S.provider_error, color="red", size="1",
                                                id="provider-error")),
        dialog_buttons(rx.button("Save provider", on_click=S.save_provider,
                                 id="provider-save")),
        spacing="3", width="100%")
    return rx.dialog.root(
        rx.dialog.content(rx.dialog.title(rx.cond(S.editing != "", "Edit provider",
                                                  "Add a sign-in provider")),
                          form, max_width="560px", max_height="88vh", overflow_y="auto",
                          id="provider-dialog"),
        open=S.provider_open, on_open_change=S.set_provider_open)


def _allow_entry(entry: rx.Var, fixed: bool) -> rx.Component:
    tail = (rx.tooltip(rx.badge(rx.icon("lock", size=12), "environment", variant="outline"),
                       content="Set by the server's environment (AURA_HTTP_ALLOW); change "
                               "it there.")
            if fixed else
            rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost",
                           color_scheme="red", on_click=S.remove_entry(entry),
                           aria_label="Remove " + entry))
    return rx.hstack(rx.code(entry, size="2"), rx.spacer(), tail, align="center",
                     width="100%", padding="4px 8px", border_radius="6px",
                     border=f"1px solid {rx.color('gray', 5)}",
                     class_name="allow-fixed" if fixed else "allow-entry", data_entry=entry)


def _allow_list() -> rx.Component:
    add = rx.form(rx.hstack(
        rx.input(value=S.new_entry, on_change=S.set_new_entry, font_family="monospace",
                 placeholder="intranet.local, *.corp.example, 10.0.0.0/8 or db.local:5432",
                 flex="1", id="allow-new"),
        rx.button(rx.icon("plus", size=14), "Add", type="submit", id="allow-add"),
        width="100%", spacing="2"), on_submit=lambda _: S.add_entry(), width="100%")
    empty = rx.text("Nothing is allowed beyond the public internet.", size="2",
                    color_scheme="gray")
    return card(
        "Outbound HTTP allow-list", add,
        rx.cond(S.allow_error != "", rx.text(S.allow_error, color="red", size="1",
                                             id="allow-error")),
        rx.cond((S.allow_entries.length() + S.allow_fixed.length()) > 0, rx.vstack(
            rx.foreach(S.allow_fixed, lambda e: _allow_entry(e, True)),
            rx.foreach(S.allow_entries, lambda e: _allow_entry(e, False)),
            spacing="2", width="100%", id="allow-list"), empty),
        description="Workflow HTTP calls may not reach private, loopback or cloud-metadata "
                    "addresses unless listed here: hosts, '*.domain', IP addresses, CIDR "
                    "ranges or host:port. Workers follow a change within a few seconds.",
        id="allow-card")


def admin_security_page() -> rx.Component:
    body = rx.vstack(_twofa(), _sign_in(), _allow_list(), spacing="4", max_width="860px",
                     width="100%")
    delete = confirm_dialog(S.delete_open, "Remove this sign-in provider?",
                            "People can no longer sign in with '" + S.delete_name +
                            "'. Their accounts stay.", "Remove",
                            on_confirm=S.delete_provider, on_cancel=S.cancel_delete_provider,
                            id="provider-delete")
    return admin_page("Security", "Sign-in rules and what workflows may reach.", S, body,
                      dialogs=(_provider_dialog(), delete))
