"""Node packages (the marketplace) over HTTP.

* ``GET /packages``: installed packages (sandboxed and trusted wheels);
* ``GET /package-catalogue``: a verified catalogue listing (search, category, source);
* ``POST /packages/install``: install or upgrade from a catalogue;
* ``POST /packages/upload``: install an uploaded package file (base64) and signature;
* ``GET|DELETE /packages/{publisher}/{name}``, ``POST .../rollback``,
  ``PUT .../enabled``, ``PUT .../hosts``: one installed package;
* ``/package-sources`` and ``/package-publishers``: catalogues and trusted keys;
* ``POST|DELETE /package-wheels/{dist}/approval``: approve a trusted wheel (signed by a
  trusted publisher, or explicitly by an owner) or withdraw the approval.

Reading needs ``package:read`` (every signed-in user); changing anything needs
``package:manage`` (owners and admins). Every check failure is a 4xx naming the check
(:mod:`engine.services.packages` does the work and the auditing).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import Field

from engine.errors import ValidationError
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router"]

router = Router("Packages")


class PackageOut(Out):
    name: str = Field(description="'publisher/name'.")
    kind: str = Field(description="'sandboxed' or 'trusted' (a wheel run in-process).")
    active: str | None = Field(None, description="Active version.")
    enabled: bool = Field(True, description="Whether its nodes are available.")
    versions: list[str] = Field(default_factory=list, description="Installed versions.")
    signed_by: str | None = Field(None, description="Publisher whose signature verified.")
    override: bool = Field(False, description="Installed unsigned/untrusted by an admin.")
    permissions: dict[str, Any] = Field(default_factory=dict, description="Hosts, kinds.")


class PackageList(Out):
    items: list[PackageOut]


class CatalogueQuery(In):
    source: str | None = Field(None, max_length=2000, description="Source name or location.")
    search: str = Field("", max_length=200, description="Words to look for.")
    category: str = Field("", max_length=100, description="Only this category.")


class CatalogueOut(Out):
    name: str | None = Field(None, description="The catalogue's name.")
    signer: str = Field(description="Trusted publisher who signed the index.")
    packages: list[dict[str, Any]] = Field(description="Newest version of each package.")
    categories: list[str] = Field(description="Every category in the catalogue.")


class InstallIn(In):
    name: str = Field(min_length=3, max_length=100, description="'publisher/name'.")
    version: str | None = Field(None, max_length=50, description="Default: the newest.")
    source: str | None = Field(None, max_length=2000, description="Default: the first source.")
    allow_unsigned: bool = Field(
        False,
        description="Admin override for an unsigned or "
        "untrusted package (audited, shown on the package).",
    )


class UploadIn(In):
    file: str = Field(max_length=8 * 1024 * 1024, description="The .aurapkg file, base64.")
    signature: dict[str, Any] | None = Field(None, description="Its .sig record, if signed.")
    allow_unsigned: bool = Field(False, description="See install.")


class RollbackIn(In):
    version: str | None = Field(None, max_length=50, description="Default: the previous.")


class EnabledIn(In):
    enabled: bool = Field(description="Whether the package's nodes are available.")


class HostsIn(In):
    hosts: list[str] = Field(max_length=50, description="Hosts beyond the manifest.")


class UninstallQuery(In):
    force: bool = Field(False, description="Deactivate active workflows using it (audited).")


class SourceIn(In):
    name: str = Field(min_length=1, max_length=100, description="A short name.")
    location: str = Field(min_length=1, max_length=2000, description="Folder or URL.")


class PublisherIn(In):
    name: str = Field(min_length=2, max_length=32, description="Publisher namespace.")
    public_key: str = Field(max_length=20_000, description="PEM public key.")


class WheelApprovalIn(In):
    version: str = Field(
        min_length=1, max_length=100, description="The installed wheel's version ('*': any)."
    )
    signature: dict[str, Any] | None = Field(
        None, description="A trusted publisher's signature record: publisher, signature."
    )
    owner_approved: bool = Field(
        False, description="Approve without a signature (owners only; audited)."
    )


class WheelApprovalOut(Out):
    version: str = Field(description="Approved version ('*': any).")
    signed_by: str | None = Field(None, description="Publisher whose signature verified.")
    owner_approved: bool = Field(description="Approved explicitly by an owner.")
    approved_by: str = Field(description="Who approved it.")
    approved_at: str = Field(description="When (ISO 8601, UTC).")


def _name(call: Call) -> str:
    return f"{call.path['publisher']}/{call.path['name']}"


@router.get("/packages", action="package:read", summary="Installed packages", response=PackageList)
def list_packages(call: Call) -> dict[str, Any]:
    """Sandboxed packages and trusted wheels, with their versions and permissions."""
    from engine.services import packages

    return {"items": packages.installed(call.principal)}


@router.get(
    "/package-catalogue",
    action="package:read",
    summary="Browse a catalogue",
    query=CatalogueQuery,
    response=CatalogueOut,
    errors=(400, 404, 422),
)
def get_catalogue(call: Call) -> dict[str, Any]:
    """The catalogue's packages (its signature checked), marked installed/updatable."""
    from engine.services import packages

    q: CatalogueQuery = call.query
    return packages.catalogue(call.principal, source=q.source, search=q.search, category=q.category)


@router.post(
    "/packages/install",
    action="package:manage",
    summary="Install a package",
    body=InstallIn,
    response=PackageOut,
    status=201,
    errors=(400, 404, 409, 422),
)
def install_package(call: Call) -> dict[str, Any]:
    """Installs (or upgrades to) a catalogue package after every check passes."""
    from engine.services import packages

    b: InstallIn = call.body
    return packages.install_from_catalogue(
        call.principal, b.name, version=b.version, source=b.source, allow_unsigned=b.allow_unsigned
    )


@router.post(
    "/packages/upload",
    action="package:manage",
    summary="Install a package file",
    body=UploadIn,
    response=PackageOut,
    status=201,
    errors=(400, 409, 422),
)
def upload_package(call: Call) -> dict[str, Any]:
    """Installs an uploaded package file (and its signature record)."""
    from engine.services import packages

    b: UploadIn = call.body
    try:
        data = base64.b64decode(b.file, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("'file' must be the package file encoded in base64.") from None
    return packages.install_file(
        call.principal, data, b.signature, allow_unsigned=b.allow_unsigned, source="upload"
    )


@router.get(
    "/packages/{publisher}/{name}",
    action="package:read",
    summary="An installed package",
    response=PackageOut,
    errors=(404,),
)
def get_package(call: Call) -> dict[str, Any]:
    """Versions, nodes, permissions, signature and who installed it."""
    from engine.services import packages

    return packages.get_package(call.principal, _name(call))


@router.post(
    "/packages/{publisher}/{name}/rollback",
    action="package:manage",
    summary="Roll a package back",
    body=RollbackIn,
    response=PackageOut,
    errors=(404, 409),
)
def rollback_package(call: Call) -> dict[str, Any]:
    """Makes an earlier installed version active."""
    from engine.services import packages

    return packages.rollback(call.principal, _name(call), call.body.version)


@router.put(
    "/packages/{publisher}/{name}/enabled",
    action="package:manage",
    summary="Enable or disable a package",
    body=EnabledIn,
    response=PackageOut,
    errors=(404,),
)
def set_package_enabled(call: Call) -> dict[str, Any]:
    """A disabled package's nodes disappear everywhere (runs using them fail clearly)."""
    from engine.services import packages

    return packages.set_enabled(call.principal, _name(call), call.body.enabled)


@router.put(
    "/packages/{publisher}/{name}/hosts",
    action="package:manage",
    summary="Grant hosts to a package",
    body=HostsIn,
    response=PackageOut,
    errors=(404, 422),
)
def grant_package_hosts(call: Call) -> dict[str, Any]:
    """Hosts the package may reach beyond its manifest (e.g. a self-hosted server)."""
    from engine.services import packages

    return packages.grant_hosts(call.principal, _name(call), call.body.hosts)


@router.delete(
    "/packages/{publisher}/{name}",
    action="package:manage",
    summary="Uninstall a package",
    query=UninstallQuery,
    errors=(404, 409),
)
def uninstall_package(call: Call) -> dict[str, Any]:
    """Refused (409, naming them) while active workflows use it, unless ``force``."""
    from engine.services import packages

    return packages.uninstall(call.principal, _name(call), force=call.query.force)


@router.get("/package-sources", action="package:read", summary="Catalogue sources")
def list_sources(call: Call) -> dict[str, Any]:
    from engine.services import packages

    return {"items": packages.list_sources(call.principal)}


@router.post(
    "/package-sources",
    action="package:manage",
    summary="Add a catalogue source",
    body=SourceIn,
    status=201,
    errors=(422,),
)
def add_source(call: Call) -> dict[str, Any]:
    from engine.services import packages

    return {"items": packages.add_source(call.principal, call.body.name, call.body.location)}


@router.delete(
    "/package-sources/{name}",
    action="package:manage",
    summary="Remove a catalogue source",
    errors=(404,),
)
def remove_source(call: Call) -> dict[str, Any]:
    from engine.services import packages

    return {"items": packages.remove_source(call.principal, call.path["name"])}


@router.get("/package-publishers", action="package:read", summary="Trusted publishers")
def list_publishers(call: Call) -> dict[str, Any]:
    from engine.services import packages

    return {"items": packages.trusted_publishers(call.principal)}


@router.post(
    "/package-publishers",
    action="package:manage",
    summary="Trust a publisher",
    body=PublisherIn,
    status=201,
    errors=(422,),
)
def trust_publisher(call: Call) -> dict[str, Any]:
    from engine.services import packages

    return packages.trust_publisher(call.principal, call.body.name, call.body.public_key)


@router.delete(
    "/package-publishers/{name}",
    action="package:manage",
    summary="Stop trusting a publisher",
    status=204,
    errors=(404,),
)
def untrust_publisher(call: Call) -> None:
    from engine.services import packages

    packages.untrust_publisher(call.principal, call.path["name"])


@router.post(
    "/package-wheels/{dist}/approval",
    action="package:manage",
    summary="Approve a trusted wheel",
    body=WheelApprovalIn,
    response=WheelApprovalOut,
    errors=(400, 403, 404, 422),
)
def approve_wheel(call: Call) -> dict[str, Any]:
    """Lets a pip-installed wheel with an ``aura.nodes`` entry point load its nodes in
    every process (they run in-process): signed by a trusted publisher, or explicitly
    by an owner. Refused (400, naming the check) for a bad or untrusted signature."""
    from engine.services import packages

    b: WheelApprovalIn = call.body
    return packages.approve_wheel(
        call.principal,
        call.path["dist"],
        b.version,
        signature=b.signature,
        owner_approved=b.owner_approved,
    )


@router.delete(
    "/package-wheels/{dist}/approval",
    action="package:manage",
    summary="Withdraw a wheel's approval",
    status=204,
    errors=(404,),
)
def revoke_wheel(call: Call) -> None:
    """Its nodes unload everywhere; it waits for approval again."""
    from engine.services import packages

    packages.revoke_wheel(call.principal, call.path["dist"])
