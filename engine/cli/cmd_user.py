"""``aura user ...``: first-run owner, users, invitations, resets, API keys, signing keys,
single sign-on (``aura user oidc``).

The CLI runs on the server with direct access to the database, so it acts as the
*console operator* (owner rights, audited as ``console``); it can do what the owner can,
except act on the owner account itself.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from engine.cli import cmd_user_oidc
from engine.cli._common import console, fail, reporting

app = typer.Typer(no_args_is_help=True)
keys_app = typer.Typer(no_args_is_help=True, help="API keys for machines and the console.")
app.add_typer(keys_app, name="api-key")
app.add_typer(cmd_user_oidc.app, name="oidc")

_JSON = typer.Option("--json", help="Print JSON.")


def _operator() -> Any:
    from engine.auth.types import Principal

    return Principal(user_id=None, email="console", role="owner")


def _user_id(email: str) -> str:
    from engine.services import auth

    user = auth.context().store.users.by_email(email)
    if user is None:
        fail(f"No user with e-mail {email}. List users with 'aura user list'.")
    return user.id


def _as_user(email: str) -> Any:
    from engine.auth.sessions import principal_for_user
    from engine.services import auth

    ctx = auth.context()
    return principal_for_user(ctx, ctx.store.users.get(_user_id(email)))


@app.command("create-owner")
def create_owner(
    email: Annotated[
        str | None, typer.Option(help="Owner's e-mail (prompted if left out).")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password (prompted, hidden, if left out; prefer the prompt)."),
    ] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """First-run set-up: create the owner account (only once)."""
    from engine.services import auth

    with reporting():
        if auth.has_owner():
            fail("This instance already has an owner. Sign in, or ask the owner for an invitation.")
        email = email or typer.prompt("E-mail")
        password = password or typer.prompt(
            "Password (at least 10 characters)", hide_input=True, confirmation_prompt=True
        )
        user = auth.create_owner(email, password, name)
    console.print(f"[green]✓[/] Owner {user.email} created. Sign in to the studio with it.")


@app.command("list")
def list_users(
    search: Annotated[str | None, typer.Option(help="Part of an e-mail or name.")] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """List users with their role and 2FA state."""
    from engine.services import auth

    with reporting(as_json):
        users = auth.list_users(_operator(), search=search, limit=1000)
    if as_json:
        print(json.dumps([u.to_dict() for u in users], indent=2))
        return
    table = Table(title_justify="left")
    for col in ("E-mail", "Name", "Role", "2FA", "Status", "Last login"):
        table.add_column(col)
    for u in users:
        table.add_row(
            u.email,
            u.name,
            u.role,
            "on" if u.totp_enabled else "-",
            "[red]disabled[/]" if u.disabled else "active",
            u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "-",
        )
    console.print(table)


@app.command("invite")
def invite(
    email: Annotated[str, typer.Argument(help="Who to invite.")],
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "editor",
) -> None:
    """Invite someone; prints the link (it is also mailed when SMTP is configured)."""
    from engine.services import auth

    with reporting():
        inv = auth.invite(_operator(), email, role)
    console.print(
        f"Invitation for {inv.email} as {inv.role}, valid until "
        f"{inv.expires_at:%Y-%m-%d %H:%M} UTC:"
    )
    typer.echo(inv.link)  # unwrapped, so it can be copied


@app.command("set-role")
def set_role(
    email: Annotated[str, typer.Argument(help="The user.")],
    role: Annotated[str, typer.Argument(help="viewer, editor or admin.")],
) -> None:
    """Change a user's instance role."""
    from engine.services import auth

    with reporting():
        user = auth.set_role(_operator(), _user_id(email), role)
    console.print(f"[green]✓[/] {user.email} is now {user.role}.")


@app.command("disable")
def disable(email: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Disable an account: sign-ins, sessions and API keys stop working at once."""
    from engine.services import auth

    with reporting():
        auth.disable_user(_operator(), _user_id(email))
    console.print(f"[green]✓[/] {email} is disabled.")


@app.command("enable")
def enable(email: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Enable a disabled account again."""
    from engine.services import auth

    with reporting():
        auth.enable_user(_operator(), _user_id(email))
    console.print(f"[green]✓[/] {email} is enabled.")


@app.command("reset-2fa")
def reset_2fa(email: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Remove a user's two-factor authentication (lost device)."""
    from engine.services import auth

    with reporting():
        auth.reset_2fa(_operator(), _user_id(email))
    console.print(f"[green]✓[/] 2FA of {email} removed; they set it up again at next login.")


@app.command("reset-password")
def reset_password(email: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Send (or, without SMTP in development, log) a password reset link."""
    from engine.services import auth

    with reporting():
        _user_id(email)
        auth.request_password_reset(email)
    console.print(f"Reset link for {email} sent (see the log when SMTP is not configured).")


@app.command("rotate-signing-key")
def rotate_signing_key() -> None:
    """New JWT signing key; tokens signed with the old one work until they expire."""
    from engine.services import auth

    with reporting():
        kid = auth.rotate_signing_key(None)
    console.print(f"[green]✓[/] New signing key {kid}.")


@keys_app.command("create")
def key_create(
    email: Annotated[str, typer.Argument(help="The user the key acts as.")],
    name: Annotated[str, typer.Option(help="What the key is for.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="Allowed action, 'area:*' or '*' (repeat).")
    ] = None,
    expires_days: Annotated[int | None, typer.Option(help="Days until it expires.")] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print the key alone (for a script: KEY=$(aura ... -q))."
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the key and what it allows as JSON.")
    ] = False,
) -> None:
    """Create an API key; the key is printed once, store it now."""
    from engine.services import auth

    with reporting(as_json):
        if quiet and as_json:
            fail("Choose one of --quiet and --json.", as_json=as_json)
        info, key = auth.create_api_key(_as_user(email), name, scope or ["*"], expires_days)
    if quiet:
        typer.echo(key)
        return
    if as_json:
        print(
            json.dumps(
                {
                    "key": key,
                    "id": info.id,
                    "prefix": info.prefix,
                    "name": info.name,
                    "scopes": list(info.scopes),
                    "user_id": info.user_id,
                    "expires_at": info.expires_at.isoformat() if info.expires_at else None,
                },
                indent=2,
            )
        )
        return
    console.print(f"API key {info.prefix} ({', '.join(info.scopes)}):")
    typer.echo(key)
    console.print("[yellow]It is shown only this once.[/]")


@keys_app.command("list")
def key_list(as_json: Annotated[bool, _JSON] = False) -> None:
    """Every user's API keys (never the keys themselves)."""
    from engine.services import auth

    with reporting(as_json):
        rows = auth.list_api_keys(_operator(), all_users=True)
    if as_json:
        print(json.dumps([{**r.__dict__, "active": r.active} for r in rows], default=str, indent=2))
        return
    table = Table(title_justify="left")
    for col in ("Prefix", "Name", "Scopes", "Expires", "Last used", "State"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.prefix,
            r.name,
            ", ".join(r.scopes),
            f"{r.expires_at:%Y-%m-%d}" if r.expires_at else "never",
            f"{r.last_used_at:%Y-%m-%d %H:%M}" if r.last_used_at else "-",
            "active" if r.active else "[red]revoked/expired[/]",
        )
    console.print(table)


@keys_app.command("revoke")
def key_revoke(
    key: Annotated[str, typer.Argument(help="The key's prefix (aura_xxxxxxxx) or id.")],
) -> None:
    """Revoke an API key (it stops working at once)."""
    from engine.services import auth

    with reporting():
        key_id = key
        if key.startswith("aura_"):
            row = auth.context().store.tokens.api_key_by_prefix(key[5:13])
            if row is None:
                fail(f"No API key {key}. List them with 'aura user api-key list'.")
            key_id = row.id
        info = auth.revoke_api_key(_operator(), key_id)
    console.print(f"[green]✓[/] {info.prefix} revoked.")
