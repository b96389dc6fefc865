"""Trusted packages: ordinary wheels with an ``aura.nodes`` entry point, run in-process.

They are installed by an operator (``pip install``), found through their entry points
and listed with the marketplace packages, marked ``trusted``. Their code runs in the
worker and API processes, so a wheel is *loaded* only when the owner approved it: by
its distribution name and version, either because it was signed by a trusted publisher
(``aura packages trust wheel DIST VERSION --signature FILE``) or explicitly
(``--owner-approved``). Approvals live in the setting ``marketplace.trusted_wheels`` and
every change bumps the package-set stamp, so each process loads (or drops) the wheel's
nodes on its next catalog use (:func:`allowed`, read by
:func:`engine.sdk.catalog.discover_packages`). Until then the listing shows the wheel as
"waiting for approval" and its entry point is never imported. A new version of an
approved wheel waits for approval again. The built-in library (``nodes.core``) is part of
AURA and needs no approval.

Listing reads distribution metadata only; nothing is imported.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from engine.errors import NotFoundError, PackageInstallError

__all__ = [
    "SETTING_KEY",
    "WAITING",
    "allowed",
    "approvals",
    "approve",
    "discovered",
    "is_builtin",
    "revoke",
    "trusted_listing",
]

SETTING_KEY = "marketplace.trusted_wheels"
GROUP = "aura.nodes"
BUILTIN_DISTS = {"aura"}
BUILTIN_VALUE = "nodes.core:PACKAGE"
WAITING = "waiting for approval"


def _dist(ep: EntryPoint) -> tuple[str, str]:
    """``(distribution name, version)`` of an entry point (its own name when unknown)."""
    dist = getattr(ep, "dist", None)
    if dist is None:
        return ep.name, ""
    return str(dist.metadata["Name"]), str(dist.version)


def is_builtin(ep: EntryPoint) -> bool:
    """The built-in library's entry point (part of AURA, needs no approval): declared by
    AURA's own distribution, or naming exactly its built-in package (a wheel naming a
    look-alike such as ``nodes.core_extra`` waits for approval like any other)."""
    return _dist(ep)[0].lower() in BUILTIN_DISTS or ep.value == BUILTIN_VALUE


def allowed(ep: EntryPoint, approved: dict[str, dict[str, Any]]) -> bool:
    """Whether ``ep`` may be imported: built in, or its wheel's version is approved in
    ``approved`` (:func:`approvals`)."""
    if is_builtin(ep):
        return True
    name, version = _dist(ep)
    entry = approved.get(name.lower())
    return entry is not None and entry.get("version") in (version, "*")


def discovered() -> list[dict[str, str]]:
    """Every ``aura.nodes`` entry point outside AURA itself: dist name, version, entry."""
    out = []
    for ep in entry_points(group=GROUP):
        if is_builtin(ep):
            continue
        name, version = _dist(ep)
        out.append({"dist": name, "version": version, "entry_point": ep.name, "value": ep.value})
    return out


def approvals(store: Any) -> dict[str, dict[str, Any]]:
    value = store.settings.get(SETTING_KEY)
    return dict(value) if isinstance(value, dict) else {}


def approve(
    store: Any,
    dist: str,
    version: str,
    *,
    actor: str,
    signature: dict[str, Any] | None = None,
    owner_approved: bool = False,
) -> dict[str, Any]:
    """Approves ``dist`` ``version``: signed by a trusted publisher (the signature covers
    ``aura-wheel:<dist>@<version>``) or explicitly by the owner."""
    from engine.marketplace.trust import publishers
    from engine.vault.signing import verify

    known = {d["dist"].lower(): d for d in discovered()}
    if dist.lower() not in known:
        raise NotFoundError(
            f"No installed wheel '{dist}' has an aura.nodes entry point; "
            "install it with pip first.",
            details={"dist": dist},
        )
    signed_by = None
    if signature:
        publisher = str(signature.get("publisher") or "")
        key = publishers(store).get(publisher)
        if key is None:
            raise PackageInstallError(
                f"Publisher '{publisher}' is not trusted.", details={"check": "untrusted_publisher"}
            )
        message = f"aura-wheel:{dist.lower()}@{version}".encode()
        try:
            raw = base64.b64decode(str(signature.get("signature") or ""), validate=True)
        except ValueError:
            raw = b""
        if not verify(key["public_key"], message, raw):
            raise PackageInstallError(
                f"The wheel signature does not verify with the key of '{publisher}'.",
                details={"check": "signature"},
            )
        signed_by = publisher
    elif not owner_approved:
        raise PackageInstallError(
            f"{dist} {version} runs in-process with full trust: give a "
            "signature by a trusted publisher, or approve it explicitly "
            "as the owner.",
            details={"check": "unsigned"},
        )
    entry = {
        "version": version,
        "signed_by": signed_by,
        "owner_approved": owner_approved,
        "approved_by": actor,
        "approved_at": datetime.now(UTC).isoformat(),
        "id": hashlib.sha256(f"{dist}@{version}".encode()).hexdigest()[:12],
    }
    current = approvals(store)
    current[dist.lower()] = entry
    store.settings.set(SETTING_KEY, current)
    _reload(store)
    return entry


def revoke(store: Any, dist: str) -> None:
    current = approvals(store)
    if current.pop(dist.lower(), None) is None:
        raise NotFoundError(f"Wheel '{dist}' is not approved.")
    store.settings.set(SETTING_KEY, current)
    _reload(store)


def _reload(store: Any) -> None:
    from engine.marketplace.live import bump

    bump(store)


def trusted_listing(store: Any) -> list[dict[str, Any]]:
    """The wheels as package rows (``kind: trusted``) for the installed list."""
    ok = approvals(store)
    out: list[dict[str, Any]] = []
    for d in discovered():
        entry = ok.get(d["dist"].lower())
        approved = entry is not None and entry.get("version") in (d["version"], "*")
        if not approved:
            entry = None  # an approval of another version says nothing about this one
        out.append(
            {
                "name": d["dist"],
                "kind": "trusted",
                "trusted": True,
                "active": d["version"],
                "enabled": approved,
                "versions": [d["version"]],
                "node_types": [],
                "extra_hosts": [],
                "signed_by": (entry or {}).get("signed_by"),
                "override": bool((entry or {}).get("owner_approved")),
                "installed_at": None,
                "installed_by": (entry or {}).get("approved_by"),
                "sha256": None,
                "permissions": {},
                "manifest": None,
                "blocked": not approved,
                "status": "approved" if approved else WAITING,
                "entry_point": d["value"],
            }
        )
    return out
