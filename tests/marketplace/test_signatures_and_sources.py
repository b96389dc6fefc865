"""Signatures and catalogues: the trust store decides; a catalogue is read from a folder
(offline) or a static HTTP server; every install checks the index signature, the file's
hash and the package signature, and a failure says which check failed and installs
nothing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.auth.types import Principal
from engine.errors import PackageInstallError, PermissionDenied
from engine.marketplace import install as ops
from engine.marketplace import sources, trust
from engine.services import packages
from tests.marketplace._helpers import built, manifest, served_folder

OWNER = Principal(user_id=None, email="owner@example.com", role="owner")
EDITOR = Principal(user_id=None, email="ed@example.com", role="editor")


@pytest.fixture
def catalogue(tmp_path: Path, acme_key: tuple[bytes, bytes]) -> Path:
    """A folder catalogue signed by 'acme' with two versions of acme/text-tools."""
    folder = tmp_path / "catalogue"
    for version in ("1.0.0", "1.1.0"):
        data, sig = built(tmp_path / f"src-{version}", manifest(version=version), key=acme_key[0])
        assert sig is not None
        sources.publish(folder, data, sig, name="Acme catalogue", downloads=42)
    sources.sign_index(folder, acme_key[0], "acme")
    return folder


@pytest.fixture
def trusted(store: Any, acme_key: tuple[bytes, bytes]) -> Any:
    trust.add_publisher(store, "acme", acme_key[1].decode(), added_by="test")
    return store


@pytest.fixture
def served(catalogue: Path) -> Iterator[str]:
    """The catalogue folder on a plain static HTTP server."""
    with served_folder(catalogue) as url:
        yield url


def _installed(store: Any) -> dict[str, Any]:
    return store.settings.get("marketplace.installed") or {}


def test_browse_and_install_from_a_folder_catalogue(trusted: Any, catalogue: Path) -> None:
    packages.add_source(OWNER, "acme", str(catalogue))
    listing = packages.catalogue(OWNER, search="text")
    assert listing["signer"] == "acme" and listing["name"] == "Acme catalogue"
    (entry,) = listing["packages"]
    assert entry["version"] == "1.1.0" and entry["verified"] and entry["installed"] is None
    assert entry["downloads"] == 42 and entry["nodes"][0]["type"] == "acme.upper"
    info = packages.install_from_catalogue(OWNER, "acme/text-tools", version="1.0.0")
    assert info["active"] == "1.0.0" and info["signed_by"] == "acme" and not info["override"]
    listing = packages.catalogue(OWNER)
    assert listing["packages"][0]["update_available"] is True
    info = packages.install_from_catalogue(OWNER, "acme/text-tools")
    assert info["active"] == "1.1.0" and info["versions"] == ["1.0.0", "1.1.0"]
    info = packages.rollback(OWNER, "acme/text-tools")
    assert info["active"] == "1.0.0"


def test_install_from_a_static_http_server(trusted: Any, served: str) -> None:
    info = packages.install_from_catalogue(OWNER, "acme/text-tools", source=served)
    assert info["active"] == "1.1.0" and info["signed_by"] == "acme"


def test_a_tampered_index_is_refused(trusted: Any, catalogue: Path) -> None:
    index = json.loads((catalogue / "index.json").read_text())
    index["packages"][0]["description"] = "now with extra features"
    (catalogue / "index.json").write_text(json.dumps(index))
    with pytest.raises(PackageInstallError) as info:
        packages.install_from_catalogue(OWNER, "acme/text-tools", source=str(catalogue))
    assert info.value.details["check"] == "index_signature"
    assert "index signature does not verify" in info.value.message
    assert _installed(trusted) == {}


def test_an_unsigned_index_is_refused(trusted: Any, catalogue: Path) -> None:
    (catalogue / "index.json.sig").unlink()
    with pytest.raises(PackageInstallError, match="not signed"):
        packages.catalogue(OWNER, source=str(catalogue))


def test_a_tampered_package_file_is_refused(trusted: Any, catalogue: Path) -> None:
    path = next((catalogue / "packages").glob("*1.1.0.aurapkg"))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(PackageInstallError) as info:
        packages.install_from_catalogue(OWNER, "acme/text-tools", source=str(catalogue))
    assert info.value.details["check"] == "hash" and "SHA-256" in info.value.message
    assert _installed(trusted) == {}
    assert list(ops.packages_dir().rglob("*.aurapkg")) == []


def test_an_unknown_publisher_is_refused(store: Any, catalogue: Path) -> None:
    with pytest.raises(PackageInstallError) as info:
        packages.install_from_catalogue(OWNER, "acme/text-tools", source=str(catalogue))
    assert info.value.details["check"] == "untrusted_publisher"
    assert "'acme', who is not a trusted publisher" in info.value.message


def test_a_package_signed_by_another_key_is_refused(
    trusted: Any, tmp_path: Path, other_key: tuple[bytes, bytes]
) -> None:
    data, sig = built(tmp_path / "p", key=other_key[0])
    with pytest.raises(PackageInstallError) as info:
        packages.install_file(OWNER, data, sig, allow_unsigned=True)
    assert info.value.details["check"] == "signature"
    assert "does not verify with the trusted key of 'acme'" in info.value.message
    assert _installed(trusted) == {}


def test_a_publisher_may_only_sign_its_own_namespace(
    trusted: Any, tmp_path: Path, acme_key: tuple[bytes, bytes]
) -> None:
    data, _ = built(tmp_path / "p", manifest("evil/text-tools"))
    from engine.marketplace.build import sign_package

    sig = sign_package(data, acme_key[0], publisher="acme")
    with pytest.raises(PackageInstallError) as info:
        packages.install_file(OWNER, data, sig)
    assert info.value.details["check"] == "namespace"


def test_unsigned_package_needs_the_audited_override(store: Any, tmp_path: Path) -> None:
    data, _ = built(tmp_path / "p")
    with pytest.raises(PackageInstallError) as info:
        packages.install_file(OWNER, data, None)
    assert info.value.details["check"] == "unsigned" and "override" in info.value.message
    info2 = packages.install_file(OWNER, data, None, allow_unsigned=True)
    assert info2["override"] is True and info2["signed_by"] is None
    events = store.audit.list(action="package.installed")
    assert events and events[0].details["override"] is True


def test_installing_and_trusting_are_admin_actions(
    store: Any, tmp_path: Path, acme_key: tuple[bytes, bytes]
) -> None:
    data, _ = built(tmp_path / "p")
    with pytest.raises(PermissionDenied):
        packages.install_file(EDITOR, data, None, allow_unsigned=True)
    with pytest.raises(PermissionDenied):
        packages.trust_publisher(EDITOR, "acme", acme_key[1].decode())
    assert packages.installed(EDITOR) == [] or all(
        p["kind"] == "trusted" for p in packages.installed(EDITOR)
    )


def test_a_catalogue_copied_elsewhere_still_installs_offline(
    trusted: Any, catalogue: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "usb-stick" / "aura-catalogue"
    shutil.copytree(catalogue, mirror)
    info = packages.install_from_catalogue(OWNER, "acme/text-tools", source=str(mirror))
    assert info["active"] == "1.1.0"
