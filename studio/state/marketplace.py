"""Admin > Marketplace: browse a catalogue, see what a package may do before installing
it, install, and manage what is installed (enable, disable, uninstall).

Everything goes through :mod:`engine.services.packages`, which authorizes (owners and
admins), checks signatures and hashes, runs the package's checks in the sandbox and
audits; this state only shapes rows for the page.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from engine.errors import AuraError
from studio.auth import AuthState
from studio.state.admin_base import AdminGate

__all__ = ["MarketplaceState", "catalogue_row", "installed_row"]


def _join(values: Any) -> str:
    return ", ".join(str(v) for v in values or [])


def catalogue_row(p: dict[str, Any]) -> dict[str, str]:
    """A catalogue entry as strings for the table and the details dialog."""
    perms = p.get("permissions") or {}
    return {
        "name": str(p.get("name") or ""),
        "title": str(p.get("title") or p.get("name") or ""),
        "description": str(p.get("description") or ""),
        "version": str(p.get("version") or ""),
        "publisher": str(p.get("publisher") or ""),
        "verified": "yes" if p.get("verified") else "",
        "installed": str(p.get("installed") or ""),
        "update": "yes" if p.get("update_available") else "",
        "categories": _join(p.get("categories")),
        "hosts": _join(perms.get("hosts")) or "no network access",
        "credentials": _join(perms.get("credentials")) or "none",
        "nodes": _join(n.get("title") or n.get("type") for n in p.get("nodes") or []),
        "downloads": "" if p.get("downloads") is None else str(p.get("downloads")),
    }


def installed_row(p: dict[str, Any]) -> dict[str, str]:
    signed = p.get("signed_by")
    return {
        "name": str(p.get("name") or ""),
        "kind": str(p.get("kind") or ""),
        "version": str(p.get("active") or ""),
        "enabled": "yes" if p.get("enabled") else "",
        "signed": f"signed by {signed}" if signed else (
            "unsigned (admin override)" if p.get("override") else ""),
        "nodes": _join(p.get("node_types")),
        "hosts": _join((p.get("permissions") or {}).get("hosts")),
    }


class MarketplaceState(AdminGate, AuthState):
    search: str = ""
    catalogue_name: str = ""
    signer: str = ""
    catalogue_problem: str = ""
    packages: list[dict[str, str]] = []
    installed: list[dict[str, str]] = []
    detail: dict[str, str] = {}
    detail_open: bool = False
    busy: str = ""

    def _reload(self, p: Any) -> None:
        from engine.services import packages

        self.installed = [installed_row(x) for x in packages.installed(p)]
        try:
            listing = packages.catalogue(p, search=self.search)
        except AuraError as exc:
            self.catalogue_problem = exc.message
            self.packages = []
            return
        self.catalogue_problem = ""
        self.catalogue_name = str(listing.get("name") or "")
        self.signer = str(listing.get("signer") or "")
        self.packages = [catalogue_row(x) for x in listing["packages"]]
        if self.detail:
            self.detail = next((r for r in self.packages
                                if r["name"] == self.detail.get("name")), self.detail)

    @rx.event
    def load(self) -> Any:
        return self._load()

    @rx.event
    def set_search(self, value: str) -> None:
        self.search = value

    @rx.event
    def apply_search(self) -> Any:
        return self._load()

    @rx.event
    def open_detail(self, name: str) -> None:
        self.detail = next((r for r in self.packages if r["name"] == name), {})
        self.detail_open = bool(self.detail)

    @rx.event
    def set_detail_open(self, value: bool) -> None:
        self.detail_open = value

    @rx.event
    def install(self, name: str) -> Any:
        from engine.services import packages

        self.detail_open = False
        return self._change(lambda p: packages.install_from_catalogue(p, name),
                            f"Installed {name}. Its nodes are in the palette now.")

    @rx.event
    def uninstall(self, name: str) -> Any:
        from engine.services import packages

        return self._change(lambda p: packages.uninstall(p, name), f"Uninstalled {name}.")

    @rx.event
    def toggle(self, name: str, enabled: bool) -> Any:
        from engine.services import packages

        return self._change(lambda p: packages.set_enabled(p, name, enabled),
                            f"{name} {'enabled' if enabled else 'disabled'}.")
