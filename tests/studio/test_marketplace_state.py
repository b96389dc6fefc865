"""Admin > Marketplace state: the catalogue with the permissions a package asks for,
search, install (with its progress), enable/disable, uninstall; an uploaded package file
checked and shown (or refused in plain words) and installed on confirmation; non-admins
kept out."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import reflex as rx  # noqa: TID251 (the upload handler takes Reflex upload files)

from engine.marketplace.install import STAGES
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


def drain(state: Any, handler: str, *args: Any) -> list[dict[str, Any]]:
    """Runs an async-generator handler to its end; what the page showed at each update
    (busy, progress label and value) and, last, the final toast as ``toast``."""
    seen: list[dict[str, Any]] = []

    async def go() -> None:
        async for update in call(state, handler, *args):
            seen.append(
                {
                    "busy": state.busy,
                    "label": state.progress_label,
                    "value": state.progress_value,
                    "toast": "" if update is None else str(update),
                }
            )

    asyncio.run(go())
    return seen


def files(*named: tuple[str, bytes]) -> list[rx.UploadFile]:
    return [rx.UploadFile(file=io.BytesIO(data), path=Path(name)) for name, data in named]


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
    shown = drain(s, "install", "acme/pinger")
    assert shown[0]["busy"] == "acme/pinger" and shown[0]["label"].endswith("…")
    stages = {f"{text}…" for text in STAGES.values()}
    assert {u["label"] for u in shown if u["busy"]} <= stages | {
        u["label"] for u in shown if u["label"].startswith("Downloading (")
    }
    assert "Installed acme/pinger 1.0.0" in shown[-1]["toast"] and s.busy == ""
    values = [u["value"] for u in shown if u["busy"]]
    assert values == sorted(values)
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


def test_an_uploaded_file_is_checked_shown_and_installed_on_confirmation(
    instance: Instance, tmp_path: Path
) -> None:
    import json

    from engine.services import packages
    from engine.vault.signing import generate_keypair
    from tests.marketplace._helpers import raw_zip

    private, public = generate_keypair("ed25519")
    other, _ = generate_keypair("ed25519")
    packages.trust_publisher(None, "acme", public.decode())
    data, sig = built(tmp_path / "ok", manifest(hosts=["api.example.com"]), key=private)
    _, forged = built(tmp_path / "f", manifest(version="9.9.9"), key=other)
    s = make(MarketplaceState)
    call(s, "load")

    def upload(*named: tuple[str, bytes]) -> None:
        asyncio.run(call(s, "upload", files(*named)))

    upload(("acme.aurapkg", data), ("acme.aurapkg.sig", json.dumps(forged).encode()))
    assert s.upload_title.startswith("Bad signature") and "changed" in s.upload_problem
    bad = raw_zip([], manifest_data={**manifest(), "version": "one"})
    upload(("bad.aurapkg", bad))
    assert s.upload_title == "Bad manifest" and "version number" in s.upload_problem
    future = built(tmp_path / "v", {**manifest(), "aura": ">=99"}, key=private)[0]
    upload(("future.aurapkg", future))
    assert s.upload_title == "Made for another AURA version" and ">=99" in s.upload_problem
    upload(("notes.txt", b"hello"))
    assert "not a zip archive" in s.upload_problem and s.upload_preview == {}
    assert packages.installed(None) == []  # nothing of it was installed

    upload(("acme.aurapkg", data), ("acme.aurapkg.sig", json.dumps(sig).encode()))
    assert s.upload_problem == "" and s.upload_preview["name"] == "acme/text-tools"
    assert s.upload_preview["signed"] == "signed by acme"
    assert s.upload_preview["hosts"] == "api.example.com"
    assert packages.installed(None) == []  # shown, not installed
    shown = drain(s, "confirm_upload")
    assert "Installed acme/text-tools 1.0.0" in shown[-1]["toast"]
    assert [r["name"] for r in s.installed] == ["acme/text-tools"]
    assert s.upload_preview == {} and s.upload_name == ""

    other_man = manifest("acme/other")
    other_man["nodes"][0]["type"] = "acme.lower"
    upload(("other.aurapkg", built(tmp_path / "u", other_man)[0]))
    assert "not signed" in s.upload_preview["needs_override"]
    assert "tick the override" in drain(s, "confirm_upload")[-1]["toast"]
    call(s, "set_upload_override", True)
    assert "Installed acme/other" in drain(s, "confirm_upload")[-1]["toast"]
    assert packages.get_package(None, "acme/other")["override"] is True


def test_a_waiting_wheel_is_approved_by_the_owner_not_an_admin(
    instance: Instance, tmp_path: Path, monkeypatch: Any
) -> None:
    import sys

    from engine.sdk import get_catalog
    from tests.marketplace._helpers import write_wheel

    write_wheel(tmp_path / "site", "1.2.0")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    try:
        s = make(MarketplaceState)
        call(s, "load")
        (row,) = [r for r in s.installed if r["name"] == "acme-nodes"]
        assert row["kind"] == "trusted" and row["status"] == "waiting for approval"
        admin = instance.user("ad@example.com", "admin")
        instance.act_as(admin.id)
        assert "Only an owner" in str(call(s, "approve_wheel", "acme-nodes", "1.2.0"))
        assert "acmew.tag" not in {x.type for x in get_catalog().all()}
        instance.act_as(instance.owner.id)
        assert "approved" in str(call(s, "approve_wheel", "acme-nodes", "1.2.0"))
        (row,) = [r for r in s.installed if r["name"] == "acme-nodes"]
        assert row["status"] == "approved"
        assert "acmew.tag" in {x.type for x in get_catalog().all()}
        assert "waits for approval" in str(call(s, "revoke_wheel", "acme-nodes"))
        assert "acmew.tag" not in {x.type for x in get_catalog().all()}
    finally:
        for mod in [m for m in sys.modules if m.startswith("acme_wheel_nodes")]:
            del sys.modules[mod]
