"""``aura packages ...``: node packages from the terminal, as the console operator.

Operators: ``search``, ``install`` (a catalogue name, a file or a URL), ``upgrade``,
``rollback``, ``uninstall``, ``enable``/``disable``, ``list``, ``show``, ``grant-hosts``,
``source add|list|remove``, ``trust add|list|remove|wheel|revoke-wheel``. Authors:
``new``, ``test``, ``build``, ``publish`` (see :mod:`engine.cli.cmd_packages_author`).
Every failure is a message saying which check failed, with exit code 2.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from engine.cli._common import console, reporting

app = typer.Typer(no_args_is_help=True)
source_app = typer.Typer(no_args_is_help=True)
trust_app = typer.Typer(no_args_is_help=True)
app.add_typer(source_app, name="source", help="Catalogue sources (folders or URLs).")
app.add_typer(trust_app, name="trust", help="Trusted publisher keys.")

_JSON = typer.Option("--json", help="Print JSON.")
_SOURCE = typer.Option("--from", help="Catalogue: a configured source name, folder or URL.")
_UNSIGNED = typer.Option(
    "--allow-unsigned",
    help="Install although unsigned or signed by an untrusted publisher (audited).",
)


def _operator() -> Any:
    from engine.cli.cmd_user import _operator as op

    return op()


def _print(obj: Any) -> None:
    print(json.dumps(obj, indent=2, default=str))


def _show(info: dict[str, Any]) -> None:
    signed = info.get("signed_by")
    badge = (
        f"[green]signed by {signed}[/]"
        if signed
        else ("[yellow]installed with override (unsigned)[/]" if info.get("override") else "")
    )
    console.print(
        f"[bold]{escape(info['name'])}[/] {info.get('active')} "
        f"({'enabled' if info.get('enabled') else 'disabled'}) {badge}"
    )
    perms = info.get("permissions") or {}
    hosts = ", ".join(perms.get("hosts") or []) or "none"
    kinds = ", ".join(perms.get("credentials") or []) or "none"
    console.print(f"  nodes: {', '.join(info.get('node_types') or [])}")
    console.print(f"  may reach: {hosts}; credentials: {kinds}")
    if info.get("extra_hosts"):
        console.print(f"  hosts granted by an admin: {', '.join(info['extra_hosts'])}")
    console.print(f"  versions installed: {', '.join(info.get('versions') or [])}")


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


@contextlib.contextmanager
def _bar(enabled: bool) -> Iterator[Any]:
    """A progress bar across an install's stages (the download in KiB), or None."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    from engine.marketplace.install import STAGES, progress_percent

    columns = (TextColumn("{task.description:<44}"), BarColumn(), TaskProgressColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(STAGES["download"], total=100)

        def report(stage: str, done: int, total: int) -> None:
            text = STAGES.get(stage, stage)
            if stage == "download":
                text += f" {done / 1024:.0f}/{total / 1024:.0f} KiB"
            bar.update(task, completed=progress_percent(stage, done, total), description=text)

        yield report


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words to look for.")] = "",
    category: Annotated[str, typer.Option(help="Only this category.")] = "",
    source: Annotated[str | None, _SOURCE] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Search a catalogue (its signature is checked first)."""
    from engine.services import packages

    with reporting(as_json):
        listing = packages.catalogue(_operator(), source=source, search=text, category=category)
    if as_json:
        _print(listing)
        return
    table = Table("package", "version", "installed", "publisher", "description")
    for p in listing["packages"]:
        mark = p["installed"] or ""
        if p["update_available"]:
            mark += " (update)"
        publisher = p.get("publisher") or ""
        if p.get("verified"):
            publisher += " ✓"
        table.add_row(p["name"], p["version"], mark, publisher, p.get("description") or "")
    console.print(table)


@app.command("install")
def install(
    what: Annotated[str, typer.Argument(help="Package name (from a catalogue), file or URL.")],
    version: Annotated[str | None, typer.Option(help="Version (catalogue only).")] = None,
    source: Annotated[str | None, _SOURCE] = None,
    allow_unsigned: Annotated[bool, _UNSIGNED] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Install a package (or a newer version of it) after every check passes."""
    from engine.marketplace.install import load_file
    from engine.services import packages

    with reporting(as_json), _bar(not as_json) as progress:
        if _is_url(what):
            info = packages.install_url(
                _operator(), what, allow_unsigned=allow_unsigned, progress=progress
            )
        elif Path(what).is_file():
            data, sig = load_file(what)
            info = packages.install_file(
                _operator(),
                data,
                sig,
                allow_unsigned=allow_unsigned,
                source=f"file:{what}",
                progress=progress,
            )
        else:
            info = packages.install_from_catalogue(
                _operator(),
                what,
                version=version,
                source=source,
                allow_unsigned=allow_unsigned,
                progress=progress,
            )
    if as_json:
        _print(info)
        return
    console.print(f"[green]✓[/] Installed {escape(info['name'])} {info['active']}.")
    _show(info)


@app.command("upgrade")
def upgrade(
    name: Annotated[str, typer.Argument(help="Installed package name.")],
    source: Annotated[str | None, _SOURCE] = None,
    allow_unsigned: Annotated[bool, _UNSIGNED] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Install the catalogue's newest version (older versions stay for pinned workflows)."""
    from engine.services import packages

    with reporting(as_json):
        before = packages.get_package(_operator(), name)["active"]
    with reporting(as_json), _bar(not as_json) as progress:
        info = packages.install_from_catalogue(
            _operator(), name, source=source, allow_unsigned=allow_unsigned, progress=progress
        )
    if as_json:
        _print(info)
        return
    console.print(f"[green]✓[/] Upgraded {escape(name)} {before} → {info['active']}.")


@app.command("rollback")
def rollback(
    name: Annotated[str, typer.Argument(help="Installed package name.")],
    version: Annotated[str | None, typer.Option(help="Version (default: the previous).")] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Make an earlier installed version active again."""
    from engine.services import packages

    with reporting(as_json):
        info = packages.rollback(_operator(), name, version)
    if as_json:
        _print(info)
        return
    console.print(f"[green]✓[/] {escape(name)} is back at {info['active']}.")


@app.command("uninstall")
def uninstall(
    name: Annotated[str, typer.Argument(help="Installed package name.")],
    force: Annotated[
        bool, typer.Option("--force", help="Deactivate active workflows that use it (audited).")
    ] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Remove every version of a package (refused while active workflows use it)."""
    from engine.services import packages

    with reporting(as_json):
        result = packages.uninstall(_operator(), name, force=force)
    if as_json:
        _print(result)
        return
    console.print(f"[green]✓[/] Uninstalled {escape(name)} ({', '.join(result['versions'])}).")
    for wf in result["deactivated"]:
        console.print(f"  deactivated workflow '{escape(wf['name'])}'")


def _toggle(name: str, enabled: bool, as_json: bool) -> None:
    from engine.services import packages

    with reporting(as_json):
        info = packages.set_enabled(_operator(), name, enabled)
    if as_json:
        _print(info)
        return
    console.print(f"[green]✓[/] {escape(name)} {'enabled' if enabled else 'disabled'}.")


@app.command("enable")
def enable(
    name: Annotated[str, typer.Argument(help="Installed package name.")],
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Make a disabled package's nodes available again."""
    _toggle(name, True, as_json)


@app.command("disable")
def disable(
    name: Annotated[str, typer.Argument(help="Installed package name.")],
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Hide a package's nodes everywhere (runs using them fail clearly) without removing it."""
    _toggle(name, False, as_json)


@app.command("list")
def list_installed(as_json: Annotated[bool, _JSON] = False) -> None:
    """Installed packages: sandboxed ones and trusted wheels."""
    from engine.services import packages

    with reporting(as_json):
        rows = packages.installed(_operator())
    if as_json:
        _print(rows)
        return
    table = Table("package", "kind", "version", "state", "signed by", "nodes")
    for p in rows:
        state = "enabled" if p["enabled"] else "disabled"
        if p.get("blocked"):
            state = f"{p['status']}: 'aura packages trust wheel {p['name']} {p['active']}'"
        table.add_row(
            p["name"],
            p["kind"],
            str(p["active"]),
            state,
            p.get("signed_by") or ("override" if p.get("override") else ""),
            ", ".join(p.get("node_types") or []),
        )
    console.print(table)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Installed package name.")],
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """One installed package: versions, nodes, permissions, who installed it."""
    from engine.services import packages

    with reporting(as_json):
        info = packages.get_package(_operator(), name)
    if as_json:
        _print(info)
        return
    _show(info)


@app.command("grant-hosts")
def grant_hosts(
    name: Annotated[str, typer.Argument(help="Installed package name.")],
    hosts: Annotated[
        list[str] | None, typer.Argument(help="Hosts beyond its manifest (none: revoke all).")
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Let a package reach extra hosts (e.g. a self-hosted server), audited."""
    from engine.services import packages

    with reporting(as_json):
        info = packages.grant_hosts(_operator(), name, hosts or [])
    if as_json:
        _print(info)
        return
    _show(info)


@source_app.command("add")
def source_add(
    name: Annotated[str, typer.Argument(help="A short name.")],
    location: Annotated[str, typer.Argument(help="Catalogue folder or http(s) URL.")],
) -> None:
    """Add a catalogue (the first one is the default)."""
    from engine.services import packages

    with reporting():
        packages.add_source(_operator(), name, location)
    console.print(f"[green]✓[/] Catalogue '{escape(name)}' added.")


@source_app.command("list")
def source_list(as_json: Annotated[bool, _JSON] = False) -> None:
    """The configured catalogues."""
    from engine.services import packages

    with reporting(as_json):
        rows = packages.list_sources(_operator())
    if as_json:
        _print(rows)
        return
    for s in rows:
        console.print(f"{escape(s['name'])}: {escape(s['location'])}")


@source_app.command("remove")
def source_remove(name: Annotated[str, typer.Argument(help="Source name.")]) -> None:
    """Forget a catalogue."""
    from engine.services import packages

    with reporting():
        packages.remove_source(_operator(), name)
    console.print(f"[green]✓[/] Catalogue '{escape(name)}' removed.")


@trust_app.command("add")
def trust_add(
    publisher: Annotated[str, typer.Argument(help="Publisher namespace, e.g. 'acme'.")],
    key_file: Annotated[Path, typer.Argument(help="The publisher's public key (PEM).")],
) -> None:
    """Trust a publisher's key for its packages and catalogues (audited)."""
    from engine.services import packages

    with reporting():
        entry = packages.trust_publisher(
            _operator(), publisher, key_file.read_text(encoding="utf-8")
        )
    console.print(f"[green]✓[/] Trusting '{publisher}' (key {entry['fingerprint']}).")


@trust_app.command("list")
def trust_list(as_json: Annotated[bool, _JSON] = False) -> None:
    """Trusted publishers and their key fingerprints."""
    from engine.services import packages

    with reporting(as_json):
        rows = packages.trusted_publishers(_operator())
    if as_json:
        _print(rows)
        return
    for p in rows:
        console.print(f"{p['name']}  {p['fingerprint']}  added by {p['added_by']}")


@trust_app.command("remove")
def trust_remove(publisher: Annotated[str, typer.Argument(help="Publisher namespace.")]) -> None:
    """Stop trusting a publisher (installed packages stay; new installs are refused)."""
    from engine.services import packages

    with reporting():
        packages.untrust_publisher(_operator(), publisher)
    console.print(f"[green]✓[/] '{publisher}' is no longer trusted.")


@trust_app.command("wheel")
def trust_wheel(
    dist: Annotated[str, typer.Argument(help="Distribution name of the installed wheel.")],
    version: Annotated[str, typer.Argument(help="Its version ('*': any).")],
    signature: Annotated[
        Path | None,
        typer.Option(help="Signature record by a trusted publisher (JSON: publisher, signature)."),
    ] = None,
    owner_approved: Annotated[
        bool, typer.Option("--owner-approved", help="Approve explicitly as the owner (audited).")
    ] = False,
) -> None:
    """Let a trusted wheel (runs in-process) load its nodes; it waits for this until then."""
    from engine.services import packages

    with reporting():
        sig = json.loads(signature.read_text(encoding="utf-8")) if signature else None
        entry = packages.approve_wheel(
            _operator(), dist, version, signature=sig, owner_approved=owner_approved
        )
    how = f"signed by {entry['signed_by']}" if entry["signed_by"] else "approved by the owner"
    console.print(
        f"[green]✓[/] {escape(dist)} {version} {how}; every process loads its nodes on its "
        "next run."
    )


@trust_app.command("revoke-wheel")
def trust_revoke_wheel(
    dist: Annotated[str, typer.Argument(help="Distribution name of the approved wheel.")],
) -> None:
    """Withdraw a wheel's approval: its nodes unload everywhere."""
    from engine.services import packages

    with reporting():
        packages.revoke_wheel(_operator(), dist)
    console.print(f"[green]✓[/] {escape(dist)} waits for approval again; its nodes are unloaded.")


from engine.cli import cmd_packages_author  # noqa: E402  (registers the author commands)

cmd_packages_author.register(app)
