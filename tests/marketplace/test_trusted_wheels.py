"""Trusted packages (wheels with an ``aura.nodes`` entry point) are listed with the
sandboxed ones, marked trusted, blocked until approved: by a trusted publisher's
signature or explicitly by the owner."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.errors import PackageInstallError
from engine.marketplace import trust, wheels
from engine.services import packages
from engine.vault.signing import sign


@pytest.fixture
def wheel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An installed distribution 'acme-nodes' 1.2.0 with an aura.nodes entry point
    (metadata only: listing never imports it)."""
    site = tmp_path / "site"
    info = site / "acme_nodes-1.2.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-nodes\nVersion: 1.2.0\n")
    (info / "entry_points.txt").write_text("[aura.nodes]\nacme = acme_nodes_never:PACKAGE\n")
    monkeypatch.syspath_prepend(str(site))
    yield "acme-nodes"


def _row(name: str) -> dict[str, Any]:
    return next(p for p in packages.installed(None) if p["name"] == name)


def test_listed_as_trusted_and_blocked_until_approved(store: Any, wheel: str) -> None:
    row = _row(wheel)
    assert row["kind"] == "trusted" and row["trusted"] and row["blocked"]
    assert row["active"] == "1.2.0" and row["entry_point"] == "acme_nodes_never:PACKAGE"
    with pytest.raises(PackageInstallError) as info:
        wheels.approve(store, wheel, "1.2.0", actor="ops")
    assert info.value.details["check"] == "unsigned"
    wheels.approve(store, wheel, "1.2.0", actor="ops", owner_approved=True)
    row = _row(wheel)
    assert not row["blocked"] and row["override"] and row["installed_by"] == "ops"
    wheels.revoke(store, wheel)
    assert _row(wheel)["blocked"]


def test_approved_by_a_trusted_publishers_signature(
    store: Any, wheel: str, acme_key: tuple[bytes, bytes], other_key: tuple[bytes, bytes]
) -> None:
    trust.add_publisher(store, "acme", acme_key[1].decode())
    message = b"aura-wheel:acme-nodes@1.2.0"
    forged = {
        "publisher": "acme",
        "signature": base64.b64encode(sign(other_key[0], message)).decode(),
    }
    with pytest.raises(PackageInstallError) as info:
        wheels.approve(store, wheel, "1.2.0", actor="ops", signature=forged)
    assert info.value.details["check"] == "signature"
    good = {"publisher": "acme", "signature": base64.b64encode(sign(acme_key[0], message)).decode()}
    wheels.approve(store, wheel, "1.2.0", actor="ops", signature=good)
    assert _row(wheel)["signed_by"] == "acme" and not _row(wheel)["blocked"]
