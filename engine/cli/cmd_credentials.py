"""``aura credentials ...``: credential kinds, masked listings, tests, and the vault key."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from engine.cli._common import console, reporting

app = typer.Typer(no_args_is_help=True)

_JSON = typer.Option("--json", help="Print JSON.")


def _operator() -> Any:
    from engine.cli.cmd_user import _operator as op

    return op()


@app.command("rotate-key")
def rotate_key(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Generate a new encryption key and re-encrypt every credential and 2FA secret with it
    (one transaction). The old key is kept in keys/old-<id>.key for decryption."""
    from engine.services import credentials

    if not yes:
        typer.confirm("Re-encrypt every credential with a new key?", abort=True)
    with reporting():
        result = credentials.rotate_key(None)
    console.print(
        f"[green]✓[/] Re-encrypted {result.credentials} credential(s) and "
        f"{result.totp_secrets} 2FA secret(s), {result.sso_secrets} sign-in "
        f"provider secret(s) and {result.stream_secrets} stream signing "
        f"secret(s): key {result.old_key_id} -> "
        f"{result.new_key_id}."
    )
    if result.new_key_b64:
        console.print(
            "[yellow]AURA_ENCRYPTION_KEY is set, so the new key was not written to "
            "keys/encryption.key. Set it everywhere AURA runs, then restart:[/]"
        )
        typer.echo(f"AURA_ENCRYPTION_KEY={result.new_key_b64}")


@app.command("key-status")
def key_status(as_json: Annotated[bool, _JSON] = False) -> None:
    """Show the current vault key, older keys kept, and credentials per key."""
    from engine.services import credentials

    with reporting(as_json):
        status = credentials.key_status()
    if as_json:
        print(json.dumps(status, indent=2))
        return
    console.print(f"Current key: [bold]{status['current']}[/] ({status['source']})")
    console.print(f"Older keys kept: {', '.join(status['old']) or 'none'}")
    for kid, n in sorted(status["credentials_by_key"].items()):
        console.print(f"  {kid}: {n} credential(s)")


@app.command("kinds")
def kinds(as_json: Annotated[bool, _JSON] = False) -> None:
    """List credential kinds and their fields (secret fields marked)."""
    from engine.credentials import describe

    items = describe()
    if as_json:
        print(json.dumps(items, indent=2))
        return
    table = Table(title_justify="left")
    for col in ("Kind", "Title", "Fields (* secret)"):
        table.add_column(col)
    for d in items:
        fields = [f + ("*" if f in d["secret_fields"] else "") for f in d["schema"]["properties"]]
        table.add_row(d["kind"], d["title"], ", ".join(fields))
    console.print(table)


@app.command("list")
def list_credentials(as_json: Annotated[bool, _JSON] = False) -> None:
    """List credentials (names and kinds; secrets are never shown)."""
    from engine.services import credentials

    with reporting(as_json):
        items = credentials.list_credentials(_operator())
    if as_json:
        print(json.dumps([c.to_dict() for c in items], indent=2))
        return
    table = Table(title_justify="left")
    for col in ("Id", "Name", "Kind", "Project", "Updated"):
        table.add_column(col)
    for c in items:
        table.add_row(c.id, c.name, c.kind, c.project_id or "-", f"{c.updated_at:%Y-%m-%d %H:%M}")
    console.print(table)


@app.command("test")
def test(credential_id: Annotated[str, typer.Argument(help="The credential's id.")]) -> None:
    """Test a credential against its service (connect, fetch a token, ...)."""
    from engine.services import credentials

    with reporting():
        result = credentials.test_credential(_operator(), credential_id)
    mark = "[green]✓[/]" if result.ok else "[red]✗[/]"
    console.print(f"{mark} {result.message}")
    if not result.ok:
        raise typer.Exit(1)
