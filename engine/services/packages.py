"""Node packages (the marketplace) as a service: browse, install, manage, trust.

The door the CLI, the API and the studio use. Reading (installed packages, catalogue
listings) needs ``package:read``; everything that changes what runs (install, upgrade,
rollback, enable, disable, uninstall, host grants, catalogue sources, trusted
publishers) needs ``package:manage`` (owners and admins) and is audited. ``principal``
``None`` is the server itself (the CLI on the server, with the operator's access).

Catalogue sources are kept in the setting ``marketplace.sources`` (name -> folder or
URL); the first one is the default.
"""

from __future__ import annotations

from typing import Any

from engine.auth.types import Principal
from engine.errors import NotFoundError, PermissionDenied, ValidationError
from engine.marketplace import install as ops
from engine.marketplace import live, sources, trust, wheels
from engine.marketplace.install import STAGES, progress_percent

__all__ = [
    "SOURCES_KEY",
    "STAGES",
    "add_source",
    "approve_wheel",
    "catalogue",
    "get_package",
    "grant_hosts",
    "install_file",
    "install_from_catalogue",
    "install_url",
    "installed",
    "list_sources",
    "preview_file",
    "progress_percent",
    "remove_source",
    "revoke_wheel",
    "rollback",
    "set_enabled",
    "trust_publisher",
    "trusted_publishers",
    "uninstall",
    "untrust_publisher",
]

SOURCES_KEY = "marketplace.sources"


def _store() -> Any:
    from engine.services.store import get_store

    return get_store()


def _authorize(principal: Principal | None, action: str) -> None:
    if principal is not None:
        from engine.services import auth

        auth.authorize(principal, action)


def _actor(principal: Principal | None) -> str:
    if principal is None:
        return "server"
    return str(getattr(principal, "email", "") or getattr(principal, "id", ""))


def _audit(principal: Principal | None, action: str, target: str, details: dict[str, Any]) -> None:
    from engine.services import auth

    auth.record_audit(principal, action, "package", target, details)


# -- sources ------------------------------------------------------------------------------
def list_sources(principal: Principal | None = None) -> list[dict[str, str]]:
    _authorize(principal, "package:read")
    value = _store().settings.get(SOURCES_KEY)
    return [dict(s) for s in value] if isinstance(value, list) else []


def add_source(principal: Principal | None, name: str, location: str) -> list[dict[str, str]]:
    """Adds (or replaces by name) a catalogue folder or URL."""
    _authorize(principal, "package:manage")
    name, location = (name or "").strip(), (location or "").strip()
    if not name or not location:
        raise ValidationError("A catalogue source needs a name and a folder or http(s) URL.")
    current = [s for s in list_sources(None) if s["name"] != name]
    current.append({"name": name, "location": location})
    _store().settings.set(SOURCES_KEY, current)
    _audit(principal, "package.source_added", name, {"location": location})
    return current


def remove_source(principal: Principal | None, name: str) -> list[dict[str, str]]:
    _authorize(principal, "package:manage")
    current = list_sources(None)
    kept = [s for s in current if s["name"] != name]
    if len(kept) == len(current):
        raise NotFoundError(f"No catalogue source named '{name}'.")
    _store().settings.set(SOURCES_KEY, kept)
    _audit(principal, "package.source_removed", name, {})
    return kept


def _location(source: str | None) -> str:
    known = list_sources(None)
    if source:
        for s in known:
            if s["name"] == source:
                return s["location"]
        return source  # a folder or URL given directly (CLI)
    if not known:
        raise ValidationError(
            "No catalogue is configured. Add one (Marketplace page, or "
            "'aura packages source add NAME FOLDER|URL')."
        )
    return known[0]["location"]


def catalogue(
    principal: Principal | None = None,
    *,
    source: str | None = None,
    search: str = "",
    category: str = "",
) -> dict[str, Any]:
    """The verified catalogue listing, filtered, each entry marked with what is
    installed (``installed``, ``update_available``)."""
    _authorize(principal, "package:read")
    store = _store()
    index = sources.read_index(store, _location(source))
    state = live.installed_state(store)
    needle = search.lower().strip()
    newest: dict[str, dict[str, Any]] = {}
    from packaging.version import Version

    for entry in index["packages"]:
        name = str(entry.get("name"))
        if name not in newest or Version(entry["version"]) > Version(newest[name]["version"]):
            newest[name] = entry
    out = []
    for entry in newest.values():
        text = " ".join(
            [entry.get("name", ""), entry.get("title", ""), entry.get("description", "")]
        ).lower()
        if needle and needle not in text:
            continue
        if category and category not in (entry.get("categories") or []):
            continue
        mine = state.get(entry["name"])
        active = mine.get("active") if mine else None
        out.append(
            {
                **entry,
                "installed": active,
                "update_available": active is not None
                and Version(entry["version"]) > Version(str(active)),
                "verified": entry.get("publisher") in trust.publishers(store),
            }
        )
    categories = sorted({c for e in newest.values() for c in e.get("categories") or []})
    return {
        "name": index.get("name"),
        "signer": index["signer"],
        "packages": out,
        "categories": categories,
    }


# -- install and manage --------------------------------------------------------------------
def install_file(
    principal: Principal | None,
    data: bytes,
    signature: dict[str, Any] | None = None,
    *,
    allow_unsigned: bool = False,
    source: str = "upload",
    progress: sources.Progress | None = None,
) -> dict[str, Any]:
    """Installs (or upgrades to) a package file; see :func:`engine.marketplace.install.install`
    (``progress`` hears each stage)."""
    _authorize(principal, "package:manage")
    entry = ops.install(
        _store(),
        data,
        signature,
        actor=_actor(principal),
        source=source,
        allow_unsigned=allow_unsigned,
        progress=progress,
    )
    version = entry["active"]
    info = entry["versions"][version]
    _audit(
        principal,
        "package.installed",
        entry["name"],
        {
            "version": version,
            "previous": entry.get("previous"),
            "sha256": info["sha256"],
            "signed_by": info["signed_by"],
            "override": info["override"],
            "source": source,
        },
    )
    return get_package(None, entry["name"])


def preview_file(
    principal: Principal | None, data: bytes, signature: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Checks a package file without installing it (an upload shown before the admin
    confirms); see :func:`engine.marketplace.install.preview`."""
    _authorize(principal, "package:manage")
    return ops.preview(_store(), data, signature)


def install_from_catalogue(
    principal: Principal | None,
    name: str,
    *,
    version: str | None = None,
    source: str | None = None,
    allow_unsigned: bool = False,
    progress: sources.Progress | None = None,
) -> dict[str, Any]:
    """Installs or upgrades ``name`` from a catalogue (index and file checked);
    ``progress`` hears the download (bytes) and each later stage."""
    _authorize(principal, "package:manage")
    store = _store()
    location = _location(source)
    index = sources.read_index(store, location)
    entry = sources.find_entry(index, name, version)
    data, sig = sources.fetch_package(location, entry, progress)
    return install_file(
        principal,
        data,
        sig,
        allow_unsigned=allow_unsigned,
        source=f"catalogue:{index.get('name') or location}",
        progress=progress,
    )


def install_url(
    principal: Principal | None,
    url: str,
    *,
    allow_unsigned: bool = False,
    progress: sources.Progress | None = None,
) -> dict[str, Any]:
    """Installs the package file at ``url`` (its ``.sig`` beside it, when there is one)."""
    _authorize(principal, "package:manage")
    data, sig = sources.fetch_url(url, progress)
    return install_file(
        principal, data, sig, allow_unsigned=allow_unsigned, source=url, progress=progress
    )


def _describe(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    active = entry.get("active")
    info = (entry.get("versions") or {}).get(active) or {}
    record = _store().settings.get(live.record_key(name, active)) if active else None
    manifest = record.get("manifest") if isinstance(record, dict) else None
    return {
        "name": name,
        "kind": entry.get("kind", "sandboxed"),
        "active": active,
        "enabled": entry.get("enabled", True),
        "versions": sorted(entry.get("versions") or {}),
        "node_types": entry.get("node_types") or [],
        "extra_hosts": entry.get("extra_hosts") or [],
        "signed_by": info.get("signed_by"),
        "override": info.get("override", False),
        "trusted": entry.get("kind") == "trusted",
        "installed_at": info.get("installed_at"),
        "installed_by": info.get("installed_by"),
        "sha256": info.get("sha256"),
        "permissions": info.get("permissions") or {},
        "manifest": manifest,
    }


def installed(principal: Principal | None = None) -> list[dict[str, Any]]:
    _authorize(principal, "package:read")
    state = live.installed_state(_store())
    out = [_describe(n, e) for n, e in sorted(state.items())]
    return out + wheels.trusted_listing(_store())


def get_package(principal: Principal | None, name: str) -> dict[str, Any]:
    _authorize(principal, "package:read")
    entry = live.installed_state(_store()).get(name)
    if entry is None:
        raise NotFoundError(f"Package {name} is not installed.", details={"name": name})
    return _describe(name, entry)


def rollback(principal: Principal | None, name: str, version: str | None = None) -> dict[str, Any]:
    _authorize(principal, "package:manage")
    entry = ops.rollback(_store(), name, version)
    _audit(
        principal,
        "package.rolled_back",
        name,
        {"from": entry.get("previous"), "to": entry["active"]},
    )
    return get_package(None, name)


def set_enabled(principal: Principal | None, name: str, enabled: bool) -> dict[str, Any]:
    _authorize(principal, "package:manage")
    ops.set_enabled(_store(), name, enabled)
    _audit(principal, "package.enabled" if enabled else "package.disabled", name, {})
    return get_package(None, name)


def grant_hosts(principal: Principal | None, name: str, hosts: list[str]) -> dict[str, Any]:
    """Hosts the package may reach beyond its manifest (shown on the package)."""
    _authorize(principal, "package:manage")
    try:
        ops.set_extra_hosts(_store(), name, hosts)
    except ValueError as exc:
        raise ValidationError(f"Host not granted: {exc}") from None
    _audit(principal, "package.hosts_granted", name, {"hosts": hosts})
    return get_package(None, name)


def uninstall(principal: Principal | None, name: str, *, force: bool = False) -> dict[str, Any]:
    _authorize(principal, "package:manage")
    result = ops.uninstall(_store(), name, force=force)
    _audit(
        principal,
        "package.uninstalled",
        name,
        {
            "versions": result["versions"],
            "force": force,
            "deactivated": [w["id"] for w in result["deactivated"]],
        },
    )
    return result


# -- trusted wheels ------------------------------------------------------------------------
def approve_wheel(
    principal: Principal | None,
    dist: str,
    version: str,
    *,
    signature: dict[str, Any] | None = None,
    owner_approved: bool = False,
) -> dict[str, Any]:
    """Lets a trusted wheel's nodes load in-process (every process, on its next catalog
    use): signed by a trusted publisher (owners and admins), or approved explicitly
    (owners only: the code runs with full trust). Audited either way."""
    _authorize(principal, "package:manage")
    if owner_approved and not signature and principal is not None and principal.role != "owner":
        raise PermissionDenied(
            "Only an owner can approve a wheel without a trusted publisher's signature: "
            "its code runs in-process with full trust. Ask an owner, or give the "
            "publisher's signature (--signature).",
            details={"check": "owner_only"},
        )
    entry = wheels.approve(
        _store(),
        dist,
        version,
        actor=_actor(principal),
        signature=signature,
        owner_approved=owner_approved,
    )
    _audit(principal, "package.wheel_approved", dist, dict(entry))
    return entry


def revoke_wheel(principal: Principal | None, dist: str) -> None:
    """Withdraws a wheel's approval: its nodes unload everywhere (it waits again)."""
    _authorize(principal, "package:manage")
    wheels.revoke(_store(), dist)
    _audit(principal, "package.wheel_revoked", dist, {})


# -- trust store ---------------------------------------------------------------------------
def trusted_publishers(principal: Principal | None = None) -> list[dict[str, Any]]:
    _authorize(principal, "package:read")
    return [
        {
            "name": n,
            "fingerprint": e.get("fingerprint"),
            "added_by": e.get("added_by"),
            "added_at": e.get("added_at"),
            "public_key": e.get("public_key"),
        }
        for n, e in sorted(trust.publishers(_store()).items())
    ]


def trust_publisher(principal: Principal | None, name: str, public_pem: str) -> dict[str, Any]:
    _authorize(principal, "package:manage")
    entry = trust.add_publisher(_store(), name, public_pem, added_by=_actor(principal))
    _audit(principal, "package.publisher_trusted", name, {"fingerprint": entry["fingerprint"]})
    return {"name": name, **entry}


def untrust_publisher(principal: Principal | None, name: str) -> None:
    _authorize(principal, "package:manage")
    if not trust.remove_publisher(_store(), name):
        raise NotFoundError(f"Publisher '{name}' is not in the trust store.")
    _audit(principal, "package.publisher_untrusted", name, {})
