"""Admin > Marketplace state: the catalogue with the permissions a package asks for,
search, install, enable/disable, uninstall; non-admins kept out."""

from __future__ import annotations

from pathlib import Path

from studio.state.marketplace import MarketplaceState
from tests.marketplace._helpers import built, manifest
from tests.studio.admin_support import (
    Instance,
    call,
    instance_fixture,  # noqa: F401 (the fixture)
    make,
)


def _catalogue(tmp_path: Path) -> None:
    from engine.marketplace.sources import publish, sign_index
    from engine.services import packages
    from engine.vault.signing import generate_keypair

    private, public = generate_keypair("ed25519")
    folder = tmp_path / "cat"
    for name, hosts in (("acme/text-tools", []), ("acme/pinger", ["api.example.com"])):
        data, sig = built(tmp_path / name, manifest(name, hosts=hosts), key=private)
        assert sig is not None
        publish(folder, data, sig, name="Acme")
    sign_index(folder, private, "acme")
    packages.trust_publisher(None, "acme", public.decode())
    packages.add_source(None, "acme", str(folder))


def test_browse_see_permissions_install_and_uninstall(instance: Instance, tmp_path: Path) -> None:
    _catalogue(tmp_path)
    s = make(MarketplaceState)
    call(s, "load")
    assert s.allowed and s.signer == "acme" and s.catalogue_problem == ""
    assert [p["name"] for p in s.packages] == ["acme/pinger", "acme/text-tools"]
    call(s, "open_detail", "acme/pinger")
    assert s.detail_open and s.detail["hosts"] == "api.example.com"
    assert s.detail["verified"] == "yes"
    call(s, "set_search", "pinger")
    call(s, "apply_search")
    assert [p["name"] for p in s.packages] == ["acme/pinger"]
    assert "Installed acme/pinger" in str(call(s, "install", "acme/pinger"))
    assert [r["name"] for r in s.installed] == ["acme/pinger"]
    assert s.installed[0]["signed"] == "signed by acme" and s.packages[0]["installed"]
    call(s, "toggle", "acme/pinger", False)
    assert s.installed[0]["enabled"] == ""
    assert "Uninstalled" in str(call(s, "uninstall", "acme/pinger"))
    assert s.installed == []


def test_without_a_catalogue_the_page_says_what_to_do(instance: Instance) -> None:
    s = make(MarketplaceState)
    call(s, "load")
    assert "No catalogue is configured" in s.catalogue_problem


def test_an_editor_is_kept_out(instance: Instance) -> None:
    editor = instance.user("ed@example.com", "editor")
    instance.act_as(editor.id)
    s = make(MarketplaceState)
    call(s, "load")
    assert s.loaded and not s.allowed
