"""The packages API as the studio and HTTP clients use it: upload (base64) and catalogue
installs, listings, details, enable/disable, uninstall; every refusal a 4xx naming the
check that failed."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from engine.marketplace import sources
from tests.marketplace._helpers import built, manifest, raw_zip

API = "/api/v1"


def _upload(c: TestClient, data: bytes, **extra: Any) -> Any:
    return c.post(f"{API}/packages/upload", json={"file": base64.b64encode(data).decode(), **extra})


def test_upload_needs_a_signature_or_the_override(client: TestClient, tmp_path: Path) -> None:
    data, _ = built(tmp_path / "p")
    r = _upload(client, data)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error"] == "package_install_error" and body["details"]["check"] == "unsigned"
    assert "override" in body["message"]
    r = _upload(client, data, allow_unsigned=True)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "acme/text-tools" and r.json()["override"] is True
    listed = client.get(f"{API}/packages").json()["items"]
    assert [p["name"] for p in listed if p["kind"] == "sandboxed"] == ["acme/text-tools"]
    nodes = client.get(f"{API}/nodes").text
    assert "acme.upper" in nodes  # in the palette without a restart


def test_bad_uploads_are_4xx_with_the_check(client: TestClient) -> None:
    r = client.post(f"{API}/packages/upload", json={"file": "not base64!"})
    assert r.status_code == 422 and "base64" in r.json()["message"]
    hostile = raw_zip([("../../escape.py", b"x")], manifest_data=manifest())
    r = _upload(client, hostile, allow_unsigned=True)
    assert r.status_code == 400 and r.json()["details"]["check"] == "archive"
    assert "leaves the package folder" in r.json()["message"]


def test_manage_one_package(client: TestClient, tmp_path: Path) -> None:
    data, _ = built(tmp_path / "p")
    assert _upload(client, data, allow_unsigned=True).status_code == 201
    r = client.get(f"{API}/packages/acme/text-tools")
    assert r.status_code == 200 and r.json()["manifest"]["nodes"][0]["type"] == "acme.upper"
    r = client.put(f"{API}/packages/acme/text-tools/enabled", json={"enabled": False})
    assert r.status_code == 200 and r.json()["enabled"] is False
    assert "acme.upper" not in client.get(f"{API}/nodes").text
    r = client.put(f"{API}/packages/acme/text-tools/hosts", json={"hosts": ["bad host!"]})
    assert r.status_code == 422
    r = client.post(f"{API}/packages/acme/text-tools/rollback", json={})
    assert r.status_code == 409 and "no version installed before" in r.json()["message"]
    assert client.delete(f"{API}/packages/acme/text-tools").status_code == 200
    r = client.get(f"{API}/packages/acme/text-tools")
    assert r.status_code == 404 and "not installed" in r.json()["message"]


def test_a_workflow_using_an_uninstalled_node_fails_clearly(
    client: TestClient, tmp_path: Path
) -> None:
    data, _ = built(tmp_path / "p")
    _upload(client, data, allow_unsigned=True)
    wf = {
        "name": "uses package",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {"name": "Up", "type": "acme.upper", "parameters": {"field": "w"}},
        ],
        "connections": [{"source": "Start", "target": "Up"}],
    }
    r = client.post(f"{API}/workflows", json=wf)
    assert r.status_code == 201, r.text
    wid = r.json()["id"]
    r = client.post(
        f"{API}/workflows/{wid}/run", params={"wait": "true"}, json={"input_items": [{"w": "ok"}]}
    )
    assert r.status_code in (200, 202), r.text
    assert '"OK"' in r.text  # the package node ran (in the sandbox)
    client.delete(f"{API}/packages/acme/text-tools")
    r = client.post(f"{API}/workflows/{wid}/run", params={"wait": "true"}, json={})
    assert r.status_code == 422, r.text
    assert "Unknown node type 'acme.upper'" in r.json()["message"]


def test_catalogue_install_over_the_api(
    client: TestClient, tmp_path: Path, acme_key: tuple[bytes, bytes]
) -> None:
    cat = tmp_path / "cat"
    data, sig = built(tmp_path / "p", key=acme_key[0])
    assert sig is not None
    sources.publish(cat, data, sig, name="Acme")
    sources.sign_index(cat, acme_key[0], "acme")
    r = client.post(
        f"{API}/package-publishers", json={"name": "acme", "public_key": acme_key[1].decode()}
    )
    assert r.status_code == 201, r.text
    assert (
        client.post(
            f"{API}/package-sources", json={"name": "acme", "location": str(cat)}
        ).status_code
        == 201
    )
    listing = client.get(f"{API}/package-catalogue", params={"search": "text"}).json()
    assert listing["signer"] == "acme" and listing["packages"][0]["verified"] is True
    r = client.post(f"{API}/packages/install", json={"name": "acme/text-tools"})
    assert r.status_code == 201 and r.json()["signed_by"] == "acme", r.text
    r = client.post(f"{API}/packages/install", json={"name": "acme/nothing"})
    assert r.status_code == 404 and "no package acme/nothing" in r.json()["message"]


def test_a_trusted_wheel_is_approved_and_revoked_over_the_api(
    client: TestClient, tmp_path: Path, monkeypatch: Any
) -> None:
    import sys

    from tests.marketplace._helpers import write_wheel

    write_wheel(tmp_path / "site", "1.2.0")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    try:
        (row,) = [
            p for p in client.get(f"{API}/packages").json()["items"] if p["kind"] == "trusted"
        ]
        assert row["name"] == "acme-nodes" and row["enabled"] is False
        url = f"{API}/package-wheels/acme-nodes/approval"
        r = client.post(url, json={"version": "1.2.0"})
        assert r.status_code == 400 and r.json()["details"]["check"] == "unsigned"
        forged = {"publisher": "nobody", "signature": "AAAA"}
        r = client.post(url, json={"version": "1.2.0", "signature": forged})
        assert r.status_code == 400 and r.json()["details"]["check"] == "untrusted_publisher"
        assert "acmew.tag" not in client.get(f"{API}/nodes").text
        r = client.post(url, json={"version": "1.2.0", "owner_approved": True})
        assert r.status_code == 200 and r.json()["owner_approved"] is True, r.text
        assert "acmew.tag" in client.get(f"{API}/nodes").text  # loaded, no restart
        assert client.delete(url).status_code == 204
        assert "acmew.tag" not in client.get(f"{API}/nodes").text
        assert client.delete(url).status_code == 404
        r = client.post(f"{API}/package-wheels/not-installed/approval", json={"version": "1"})
        assert r.status_code == 404 and "install it with pip first" in r.json()["message"]
    finally:
        for mod in [m for m in sys.modules if m.startswith("acme_wheel_nodes")]:
            del sys.modules[mod]
