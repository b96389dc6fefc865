"""Install, upgrade, rollback, enable, disable and uninstall sandboxed packages.

An install runs every check before it stores anything: the file (archive rules), the
manifest, the RestrictedPython compile of every module, the AURA version range, the
signature against the trust store (or an explicit, recorded override for an unsigned or
untrusted package), node types that would redefine a built-in or another package's node,
then the conformance suite and the package's cases in the sandbox. Only then the record
is stored, the file kept under ``<data dir>/packages`` and the stamp bumped, so every
process picks the change up (:mod:`engine.marketplace.live`). A failure leaves nothing.

These functions take the store and do no authorization; :mod:`engine.services.packages`
checks roles and audits.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from engine.errors import ConflictError, NotFoundError, PackageInstallError
from engine.marketplace import live
from engine.marketplace.build import package_filename
from engine.marketplace.package import Package, load_package
from engine.marketplace.sources import Progress
from engine.marketplace.trust import verify_package

__all__ = [
    "STAGES",
    "aura_version",
    "install",
    "packages_dir",
    "preview",
    "progress_percent",
    "rollback",
    "set_enabled",
    "uninstall",
    "users_of",
]


def aura_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aura")
    except PackageNotFoundError:
        return "0.1.0"


def packages_dir() -> Path:
    """Where package files are kept (``<data dir>/packages``); nothing else is written."""
    from engine.config import settings

    path = settings().ensure_data_dir() / "packages"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _refuse(message: str, check: str, **details: Any) -> PackageInstallError:
    return PackageInstallError(message, details={"check": check, **details})


def _check_version_range(pkg: Package) -> None:
    current = aura_version()
    if not SpecifierSet(pkg.manifest.aura).contains(current, prereleases=True):
        raise _refuse(
            f"{pkg.name} {pkg.version} needs AURA {pkg.manifest.aura}; this is AURA {current}.",
            "aura_version",
        )


def _check_types(store: Any, pkg: Package) -> None:
    from engine.sdk.catalog import Catalog, discover_packages

    base = Catalog(discover_packages())
    namespaces = {s.type.partition(".")[0] for s in base.all()}
    for decl in pkg.manifest.nodes:
        ns = decl.type.partition(".")[0]
        if decl.type in {s.type for s in base.all()} or ns in namespaces:
            raise _refuse(
                f"{pkg.name} declares node type '{decl.type}' in the namespace "
                f"'{ns}' of built-in nodes; a package may not redefine or extend "
                "built-in node types.",
                "builtin_type",
                type=decl.type,
            )
    for name, entry in live.installed_state(store).items():
        if name == pkg.name:
            continue
        for t in entry.get("node_types") or []:
            if t in pkg.manifest.node_types():
                raise _refuse(
                    f"Node type '{t}' is already provided by package {name}.",
                    "type_conflict",
                    type=t,
                    package=name,
                )


def _checks(
    store: Any, data: bytes, signature: dict[str, Any] | None
) -> tuple[Package, str | None, PackageInstallError | None]:
    """Every check short of the sandboxed tests: ``(package, signed by, the refusal an
    admin override would excuse (unsigned, untrusted publisher) or None)``."""
    pkg = load_package(data)
    _check_version_range(pkg)
    signed_by: str | None = None
    excusable: PackageInstallError | None = None
    try:
        signed_by = verify_package(store, pkg, signature)
    except PackageInstallError as exc:
        if (exc.details or {}).get("check") not in ("unsigned", "untrusted_publisher"):
            raise
        excusable = exc
    entry = live.installed_state(store).get(pkg.name) or {}
    if pkg.version in (entry.get("versions") or {}):
        raise ConflictError(
            f"{pkg.name} {pkg.version} is already installed.",
            details={"name": pkg.name, "version": pkg.version, "check": "installed"},
        )
    _check_types(store, pkg)
    return pkg, signed_by, excusable


def preview(store: Any, data: bytes, signature: dict[str, Any] | None = None) -> dict[str, Any]:
    """What installing this file would do, checked but not installed (an uploaded file
    shown before the admin confirms): name, version, title, description, nodes,
    permissions, who signed it, and ``needs_override`` (why it installs only with the
    admin override) or ``""``. The package's tests run in the sandbox at install.

    Raises:
        PackageInstallError: naming the failed check; ConflictError: already installed.
    """
    pkg, signed_by, excusable = _checks(store, data, signature)
    m = pkg.manifest
    current = live.installed_state(store).get(pkg.name) or {}
    return {
        "name": pkg.name,
        "version": pkg.version,
        "title": m.title,
        "description": m.description,
        "nodes": [{"type": n.type, "version": n.version, "title": n.title} for n in m.nodes],
        "permissions": m.permissions.model_dump(mode="json"),
        "signed_by": signed_by,
        "needs_override": excusable.message if excusable is not None else "",
        "upgrade_from": current.get("active"),
        "sha256": pkg.sha256,
    }


STAGES = {
    "download": "Downloading",
    "check": "Checking the signature, manifest and code",
    "test": "Running its tests in the sandbox",
    "store": "Installing",
}
"""What each stage of an install is called where a person watches it."""
_SHARE = {"download": (0.0, 0.5), "check": (0.5, 0.6), "test": (0.6, 0.95), "store": (0.95, 1.0)}


def progress_percent(stage: str, done: int, total: int) -> int:
    """How far an install is, 0-100, for one bar across its stages (the download takes
    the first half; a package fetched from a folder passes it at once)."""
    start, end = _SHARE.get(stage, (0.0, 1.0))
    part = min(1.0, done / total) if total > 0 else 0.0
    return round(100 * (start + (end - start) * part))


def _noop(stage: str, done: int, total: int) -> None:
    return None


def install(
    store: Any,
    data: bytes,
    signature: dict[str, Any] | None = None,
    *,
    actor: str = "",
    source: str = "file",
    allow_unsigned: bool = False,
    activate: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Checks and installs a package file; returns its installed entry (with ``name``).

    ``allow_unsigned`` is the admin override for a package that is unsigned or signed by
    an untrusted publisher (recorded on the package); it never excuses a signature that
    fails (tampered file, another key, wrong namespace).

    Raises:
        PackageInstallError: naming the failed check (``details["check"]``).
        ConflictError: this version is already installed.
    """
    report = progress or _noop
    report("check", 0, 1)
    pkg, signed_by, needs_override = _checks(store, data, signature)
    if needs_override is not None and not allow_unsigned:
        raise needs_override
    override = needs_override is not None
    state = live.installed_state(store)
    entry = state.get(pkg.name) or {"versions": {}, "enabled": True, "extra_hosts": []}
    from engine.marketplace.conformance import check_package

    report("test", 0, 1)
    check_package(pkg)
    report("store", 0, 1)
    folder = packages_dir() / pkg.manifest.publisher
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / package_filename(pkg.name, pkg.version)
    path.write_bytes(data)
    if signature:
        path.with_name(path.name + ".sig").write_text(json.dumps(signature), encoding="utf-8")
    store.settings.set(live.record_key(pkg.name, pkg.version), pkg.record())
    entry["versions"][pkg.version] = {
        "sha256": pkg.sha256,
        "signed_by": signed_by,
        "override": override,
        "installed_at": datetime.now(UTC).isoformat(),
        "installed_by": actor,
        "source": source,
        "permissions": pkg.manifest.permissions.model_dump(mode="json"),
    }
    previous = entry.get("active")
    if activate or not previous:
        entry["active"] = pkg.version
    entry["kind"] = "sandboxed"
    entry["node_types"] = sorted(
        set(entry.get("node_types") or []) | set(pkg.manifest.node_types())
    )
    state[pkg.name] = entry
    live.save_state(store, state)
    report("store", 1, 1)
    return {"name": pkg.name, "previous": previous, **entry}


def _entry(store: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    state = live.installed_state(store)
    entry = state.get(name)
    if entry is None:
        raise NotFoundError(
            f"Package {name} is not installed; 'aura packages list' shows what is.",
            details={"name": name},
        )
    return state, entry


def rollback(store: Any, name: str, version: str | None = None) -> dict[str, Any]:
    """Makes an earlier installed version (default: the one before the active) active."""
    state, entry = _entry(store, name)
    versions = sorted(entry["versions"], key=Version)
    active = entry.get("active")
    if version is None:
        older = [v for v in versions if active is None or Version(v) < Version(active)]
        if not older:
            raise ConflictError(
                f"{name} has no version installed before {active} to roll back to.",
                details={"name": name, "installed": versions},
            )
        version = older[-1]
    if version not in entry["versions"]:
        raise NotFoundError(
            f"{name} {version} is not installed (installed: {', '.join(versions)}).",
            details={"installed": versions},
        )
    entry["active"] = version
    live.save_state(store, state)
    return {"name": name, "previous": active, **entry}


def set_enabled(store: Any, name: str, enabled: bool) -> dict[str, Any]:
    state, entry = _entry(store, name)
    entry["enabled"] = bool(enabled)
    live.save_state(store, state)
    return {"name": name, **entry}


def set_extra_hosts(store: Any, name: str, hosts: list[str]) -> dict[str, Any]:
    """Hosts an admin grants a package beyond its manifest (e.g. a self-hosted server)."""
    from engine.marketplace.manifest import Permissions

    clean = list(Permissions(hosts=tuple(hosts)).hosts)
    state, entry = _entry(store, name)
    entry["extra_hosts"] = clean
    live.save_state(store, state)
    return {"name": name, **entry}


def users_of(store: Any, node_types: set[str]) -> list[dict[str, str]]:
    """Active workflows whose published (or draft) definition uses one of the types."""
    out = []
    rows, _ = store.workflows.list(active=True, archived=None, limit=10_000)
    for rec in rows:
        try:
            definition = store.workflows.definition(rec.id, published=True)
        except Exception:
            definition = store.workflows.definition(rec.id)
        used = {n.get("type") for n in definition.get("nodes") or [] if isinstance(n, dict)}
        if used & node_types:
            out.append({"id": rec.id, "name": rec.name})
    return out


def uninstall(store: Any, name: str, *, force: bool = False) -> dict[str, Any]:
    """Removes every version of a package (records and files).

    Raises:
        ConflictError: active workflows use its nodes (named in the message and in
            ``details["workflows"]``); ``force`` deactivates them instead.
    """
    state, entry = _entry(store, name)
    users = users_of(store, set(entry.get("node_types") or []))
    if users and not force:
        names = ", ".join(f"'{u['name']}'" for u in users)
        raise ConflictError(
            f"Package {name} is used by active workflows: {names}. Deactivate "
            "them first, or uninstall with --force to deactivate them.",
            details={"workflows": users},
        )
    deactivated = []
    for user in users:
        from engine.triggers import webhooks

        webhooks.deactivate(user["id"])
        deactivated.append(user)
    for version in list(entry["versions"]):
        store.settings.delete(live.record_key(name, version))
        publisher = name.partition("/")[0]
        path = packages_dir() / publisher / package_filename(name, version)
        for p in (path, path.with_name(path.name + ".sig")):
            p.unlink(missing_ok=True)
    del state[name]
    live.save_state(store, state)
    return {"name": name, "versions": sorted(entry["versions"]), "deactivated": deactivated}


def load_file(path: str | Path) -> tuple[bytes, dict[str, Any] | None]:
    """A package file and its ``.sig`` record beside it (None when absent)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise PackageInstallError(
            f"Cannot read {p}: {exc.strerror}.", details={"check": "file"}
        ) from None
    sig_path = p.with_name(p.name + ".sig")
    sig = None
    if sig_path.is_file():
        try:
            sig = json.loads(sig_path.read_text(encoding="utf-8"))
        except ValueError:
            raise PackageInstallError(
                f"{sig_path} is not a JSON signature record.", details={"check": "signature"}
            ) from None
    return data, sig
