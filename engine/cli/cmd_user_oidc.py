"""``aura user oidc ...``: single sign-on providers and the allowed login methods, for
operators without the studio (the CLI acts as the console operator, with owner rights).

It is also the break-glass: ``aura user oidc login-methods password`` turns password
sign-in back on when a provider is broken and nobody can sign in.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from engine.cli._common import console, reporting

app = typer.Typer(no_args_is_help=True, help="Single sign-on providers and login methods.")

_JSON = typer.Option("--json", help="Print JSON.")


def _operator() -> Any:
    from engine.auth.types import Principal

    return Principal(user_id=None, email="console", role="owner")


@app.command("list")
def list_providers(as_json: Annotated[bool, _JSON] = False) -> None:
    """List login providers (client secrets are never shown) and the login methods."""
    from engine.services import oidc

    with reporting(as_json):
        providers = oidc.list_providers(_operator())
        methods = oidc.get_login_methods()
    if as_json:
        print(json.dumps({"providers": providers, "login_methods": methods}, indent=2))
        return
    table = Table(title_justify="left")
    for col in ("Name", "Preset", "Label", "Client ID", "Secret", "Issuer / base URL",
                "New users", "State", "From"):
        table.add_column(col)
    for p in providers:
        table.add_row(p["name"], p["preset"], p["label"], p["client_id"],
                      "set" if p["client_secret_set"] else "-",
                      p["issuer"] or p["base_url"] or "-",
                      f"created as {p['default_role']}" if p["auto_create"] else "invited only",
                      "enabled" if p["enabled"] else "[red]disabled[/]", p["source"])
    console.print(table)
    console.print(f"Allowed login methods: {', '.join(methods)}")


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Short name, e.g. google or corp (used in the "
                                        "redirect URI).")],
    client_id: Annotated[str, typer.Option(help="The client ID from the provider.")],
    preset: Annotated[str, typer.Option(help="oidc, google, microsoft, gitlab or github."
                                        )] = "oidc",
    client_secret: Annotated[str | None, typer.Option(
        help="The client secret (prompted, hidden, if left out; prefer the prompt).")] = None,
    issuer: Annotated[str | None, typer.Option(help="Issuer URL (preset oidc).")] = None,
    base_url: Annotated[str | None, typer.Option(help="Self-hosted GitLab or GitHub "
                                                 "Enterprise URL.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Microsoft tenant.")] = None,
    scope: Annotated[list[str] | None, typer.Option("--scope", help="Scope (repeat); "
                                                    "default per preset.")] = None,
    label: Annotated[str | None, typer.Option(help="Text of the sign-in button.")] = None,
    auto_create: Annotated[bool, typer.Option(help="Create unknown users with a verified "
                                              "e-mail.")] = False,
    default_role: Annotated[str, typer.Option(help="Role of created users.")] = "viewer",
    disabled: Annotated[bool, typer.Option("--disabled", help="Add it switched off.")
                        ] = False,
    keep_secret: Annotated[bool, typer.Option("--keep-secret", help="Keep the stored "
                                              "secret (when changing a provider).")] = False,
) -> None:
    """Add (or change) a login provider."""
    from engine.services import oidc

    if client_secret is None and not keep_secret:
        client_secret = typer.prompt("Client secret (empty for none)", default="",
                                     hide_input=True, show_default=False) or None
    with reporting():
        p = oidc.save_provider(_operator(), name, preset=preset, client_id=client_id,
                               client_secret=None if keep_secret else (client_secret or None),
                               issuer=issuer, base_url=base_url, tenant=tenant, scopes=scope,
                               label=label, auto_create=auto_create,
                               default_role=default_role, enabled=not disabled)
    console.print(f"[green]✓[/] Provider {p['name']} ({p['preset']}) saved. Register this "
                  "redirect URI with the provider:")
    typer.echo(f"<studio URL>/api/v1/auth/oidc/{p['name']}/callback")


@app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The provider's name.")]) -> None:
    """Remove a login provider."""
    from engine.services import oidc

    with reporting():
        oidc.delete_provider(_operator(), name)
    console.print(f"[green]✓[/] Provider {name} removed.")


@app.command("login-methods")
def login_methods(
    methods: Annotated[list[str] | None, typer.Argument(
        help="Allowed methods: password and/or oidc:<name>. Leave out to show them.")
    ] = None,
) -> None:
    """Show or set the allowed login methods (break-glass: 'login-methods password')."""
    from engine.services import oidc

    with reporting():
        current = (oidc.set_login_methods(_operator(), methods) if methods
                   else oidc.get_login_methods())
    console.print(f"Allowed login methods: {', '.join(current)}")
