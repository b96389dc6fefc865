"""``aura packages new|test|build|publish|keygen``: for package authors and
catalogue maintainers.

``new`` scaffolds a package folder; ``test`` runs the conformance suite and the cases in
the sandbox; ``build`` writes the deterministic ``.aurapkg`` (and its ``.sig`` with
``--sign KEY``); ``publish`` builds, signs and adds a package folder to a catalogue
folder and re-signs its index; ``keygen`` writes an Ed25519 key pair.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from engine.cli._common import console, fail, reporting

__all__ = ["register"]

_NEW_RUN = '''\
def run(ctx, items):
    """Called once per node run with every input item; return a list of objects."""
    greeting = ctx.params()["greeting"]
    out = []
    for item in items:
        data = dict(item["json"])
        data["greeting"] = greeting
        out.append(data)
    ctx.log.info("greeted %d items" % len(out))
    return out
'''


def _scaffold(folder: Path, name: str) -> None:
    publisher, _, short = name.partition("/")
    node = short.replace("-", "_")
    manifest = {
        "name": name,
        "version": "0.1.0",
        "aura": ">=0.1",
        "title": short.replace("-", " ").title(),
        "description": "What this package does.",
        "categories": ["Utility"],
        "permissions": {"hosts": [], "credentials": []},
        "nodes": [
            {
                "type": f"{publisher}.{node}",
                "version": 1,
                "title": short.replace("-", " ").title(),
                "description": "What this node does.",
                "category": "Transform",
                "icon": "package",
                "run": "main.py:run",
                "docs": "docs.md",
                "params": {
                    "type": "object",
                    "properties": {
                        "greeting": {
                            "type": "string",
                            "default": "hello",
                            "description": "Text written into each item's 'greeting'.",
                        }
                    },
                },
            }
        ],
        "tests": ["tests/cases.json"],
    }
    cases = {
        "node": f"{publisher}.{node}",
        "cases": [
            {
                "name": "greets every item",
                "params": {"greeting": "hi"},
                "input": [{"n": 1}],
                "expect": [{"n": 1, "greeting": "hi"}],
            }
        ],
    }
    (folder / "tests").mkdir(parents=True)
    (folder / "aura-package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (folder / "main.py").write_text(_NEW_RUN)
    (folder / "docs.md").write_text(f"# {manifest['title']}\n\nDescribe the node here.\n")
    (folder / "tests" / "cases.json").write_text(json.dumps(cases, indent=2) + "\n")


def new(
    name: Annotated[str, typer.Argument(help="'publisher/package-name'.")],
    folder: Annotated[Path | None, typer.Option(help="Where (default: ./package-name).")] = None,
) -> None:
    """Scaffold a package folder: manifest, run code, docs and a test case."""
    from engine.marketplace.manifest import NAME_RE

    if not NAME_RE.match(name):
        fail(f"'{name}' must look like 'publisher/package-name' (lower case).")
    target = folder or Path(name.partition("/")[2])
    if target.exists():
        fail(f"{target} already exists; choose another --folder.")
    _scaffold(target, name)
    console.print(f"[green]✓[/] Created {target}. Next: aura packages test {target}")


def test(
    folder: Annotated[Path, typer.Argument(help="Package folder.")],
    network: Annotated[
        bool, typer.Option("--network", help="Also run cases marked 'network'.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Build the package in memory and run its conformance checks and cases in the sandbox."""
    from engine.marketplace.build import build_package
    from engine.marketplace.conformance import check_package

    with reporting(as_json):
        _, pkg = build_package(folder)
        results = check_package(pkg, network=network, raise_on_failure=False)
    if as_json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        for r in results:
            ok = "[green]ok[/]" if r.ok else "[red]FAIL[/]"
            mark = "[yellow]skipped[/]" if r.skipped else ok
            console.print(f"{mark} {r.node}: {escape(r.name)} {escape(r.message)}")
    if any(not r.ok for r in results):
        raise typer.Exit(1)


def _key(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"Cannot read the signing key {path}: {exc.strerror}.")


def build(
    folder: Annotated[Path, typer.Argument(help="Package folder.")],
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("dist"),
    sign: Annotated[
        Path | None, typer.Option("--sign", help="Private key (PEM) to sign with.")
    ] = None,
) -> None:
    """Write the package file, PUBLISHER--NAME-VERSION.aurapkg (and .sig when signing)."""
    from engine.marketplace.build import (
        build_package,
        package_filename,
        sign_package,
        write_signature,
    )

    key = _key(sign)
    with reporting():
        data, pkg = build_package(folder)
        out.mkdir(parents=True, exist_ok=True)
        path = out / package_filename(pkg.name, pkg.version)
        path.write_bytes(data)
        if key:
            write_signature(path, sign_package(data, key))
    console.print(f"[green]✓[/] {path} ({len(data)} bytes, sha256 {pkg.sha256[:16]}…)")


def publish(
    folders: Annotated[list[Path], typer.Argument(help="Package folder(s).")],
    catalogue: Annotated[Path, typer.Option(help="Catalogue folder (created if missing).")],
    key: Annotated[Path, typer.Option(help="Private key (PEM) of the publisher.")],
    signer: Annotated[str, typer.Option(help="Publisher who signs the index.")] = "",
    name: Annotated[str, typer.Option(help="Catalogue name shown to users.")] = "",
) -> None:
    """Build, sign and add package folders to a catalogue folder; re-sign its index."""
    from engine.marketplace.build import build_package, sign_package
    from engine.marketplace.sources import publish as add
    from engine.marketplace.sources import sign_index

    pem = _key(key)
    assert pem is not None
    with reporting():
        for folder in folders:
            data, pkg = build_package(folder)
            entry = add(catalogue, data, sign_package(data, pem), name=name)
            console.print(f"[green]✓[/] {entry['name']} {entry['version']} → {catalogue}")
            signer = signer or pkg.manifest.publisher
        sign_index(catalogue, pem, signer)
    console.print(f"Index signed by '{signer}'.")


def keygen(
    out: Annotated[Path, typer.Argument(help="Base path: writes BASE.pem and BASE.pub.pem.")],
) -> None:
    """Write a new Ed25519 key pair for signing packages and catalogues."""
    from engine.vault.signing import generate_keypair

    private, public = generate_keypair("ed25519")
    priv_path = out.with_name(out.name + ".pem")
    if priv_path.exists():
        fail(f"{priv_path} exists; choose another name.")
    priv_path.write_bytes(private)
    priv_path.chmod(0o600)
    out.with_name(out.name + ".pub.pem").write_bytes(public)
    console.print(f"[green]✓[/] {priv_path} (keep secret) and {out.name}.pub.pem (share).")


def register(app: typer.Typer) -> None:
    for fn in (new, test, build, publish, keygen):
        app.command(fn.__name__)(fn)
