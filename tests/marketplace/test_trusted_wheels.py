"""Trusted packages (wheels with an ``aura.nodes`` entry point) are listed with the
sandboxed ones, marked trusted, and wait for the owner's approval: until then their
entry point is not even imported and their nodes are unknown; approving (by a trusted
publisher's signature or explicitly, with ``aura packages trust wheel``) loads them
without a restart, revoking unloads them, a new version waits again."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.auth import audit
from engine.cli import app
from engine.errors import PackageInstallError, PermissionDenied, WorkflowValidationError
from engine.executor import Executor, RunRequest
from engine.graph import load_workflow
from engine.marketplace import trust, wheels
from engine.sdk import get_catalog
from engine.services import packages
from engine.vault.signing import sign
from tests.marketplace._helpers import write_wheel

runner = CliRunner()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    yield path
    for mod in [m for m in sys.modules if m.startswith("acme_wheel_nodes")]:
        del sys.modules[mod]
    get_catalog(reload=True)


@pytest.fixture
def wheel(site: Path) -> str:
    write_wheel(site, "1.2.0")
    return "acme-nodes"


def aura(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _row(name: str) -> dict[str, Any]:
    return next(p for p in packages.installed(None) if p["name"] == name)


def node_types() -> set[str]:
    return {s.type for s in get_catalog().all()}  # no reload: what every process sees


def tag(word: str) -> Any:
    wf = load_workflow(
        {
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger"},
                {"name": "T", "type": "acmew.tag", "parameters": {"word": word}},
            ],
            "connections": [{"source": "Start", "target": "T"}],
        }
    )
    return Executor(get_catalog()).run(RunRequest(workflow=wf, input_items=None))


def test_waits_for_approval_then_loads_and_unloads_without_a_restart(
    store: Any, wheel: str
) -> None:
    row = _row(wheel)
    assert row["kind"] == "trusted" and row["blocked"] and row["status"] == "waiting for approval"
    assert row["active"] == "1.2.0" and row["entry_point"] == "acme_wheel_nodes:PACKAGE"
    listing = aura("packages", "list")
    assert "waiting for approval" in listing.output
    assert "acmew.tag" not in node_types()
    assert "acme_wheel_nodes" not in sys.modules  # its code was never imported
    with pytest.raises(WorkflowValidationError, match=r"Unknown node type 'acmew\.tag'"):
        tag("x")

    refused = aura("packages", "trust", "wheel", wheel, "1.2.0")  # neither signed nor approved
    assert refused.exit_code != 0 and "approve it explicitly" in refused.output
    assert "acmew.tag" not in node_types()

    ok = aura("packages", "trust", "wheel", wheel, "1.2.0", "--owner-approved")
    assert ok.exit_code == 0, ok.output
    assert "acmew.tag" in node_types()
    assert tag("hello").output[0].json["tag"] == "hello"
    row = _row(wheel)
    assert not row["blocked"] and row["override"] and row["status"] == "approved"
    [event] = audit.list_events(store, action="package.wheel_approved")
    assert event.target_id == wheel

    gone = aura("packages", "trust", "revoke-wheel", wheel)
    assert gone.exit_code == 0, gone.output
    assert "acmew.tag" not in node_types()
    assert _row(wheel)["status"] == "waiting for approval"
    assert audit.list_events(store, action="package.wheel_revoked")


def test_a_new_version_waits_again(store: Any, site: Path, wheel: str) -> None:
    assert aura("packages", "trust", "wheel", wheel, "1.2.0", "--owner-approved").exit_code == 0
    assert "acmew.tag" in node_types()
    write_wheel(site, "1.3.0")  # pip install -U: not what the owner approved
    wheels_live_changed(store)
    assert "acmew.tag" not in node_types()
    row = _row(wheel)
    assert row["active"] == "1.3.0" and row["status"] == "waiting for approval"
    assert row["installed_by"] is None


def wheels_live_changed(store: Any) -> None:
    """What a process sees after a restart or any package change (pip itself bumps no
    stamp): here, the stamp bumped by hand."""
    from engine.marketplace import live

    live.bump(store)


def test_approved_by_a_trusted_publishers_signature(
    store: Any,
    wheel: str,
    tmp_path: Path,
    acme_key: tuple[bytes, bytes],
    other_key: tuple[bytes, bytes],
) -> None:
    message = b"aura-wheel:acme-nodes@1.2.0"
    forged = tmp_path / "forged.json"
    forged.write_text(
        json.dumps(
            {
                "publisher": "acme",
                "signature": base64.b64encode(sign(other_key[0], message)).decode(),
            }
        )
    )
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "publisher": "acme",
                "signature": base64.b64encode(sign(acme_key[0], message)).decode(),
            }
        )
    )
    untrusted = aura("packages", "trust", "wheel", wheel, "1.2.0", "--signature", str(good))
    assert untrusted.exit_code != 0 and "'acme' is not trusted" in untrusted.output
    trust.add_publisher(store, "acme", acme_key[1].decode())
    bad = aura("packages", "trust", "wheel", wheel, "1.2.0", "--signature", str(forged))
    assert bad.exit_code != 0 and "does not verify with the key of 'acme'" in bad.output
    assert "acmew.tag" not in node_types()
    with pytest.raises(PackageInstallError) as info:
        wheels.approve(store, wheel, "1.3.0", actor="ops", signature=json.loads(good.read_text()))
    assert info.value.details["check"] == "signature"  # signed for 1.2.0 only
    ok = aura("packages", "trust", "wheel", wheel, "1.2.0", "--signature", str(good))
    assert ok.exit_code == 0 and "signed by acme" in ok.output, ok.output
    assert "acmew.tag" in node_types()
    assert _row(wheel)["signed_by"] == "acme" and not _row(wheel)["blocked"]


def test_only_an_owner_approves_explicitly_and_look_alikes_wait(
    store: Any, site: Path, wheel: str
) -> None:
    from engine.auth.types import Principal

    admin = Principal(user_id=None, email="ad@example.com", role="admin")
    owner = Principal(user_id=None, email="ow@example.com", role="owner")
    with pytest.raises(PermissionDenied, match="Only an owner"):
        packages.approve_wheel(admin, wheel, "1.2.0", owner_approved=True)
    assert "acmew.tag" not in node_types()
    packages.approve_wheel(owner, wheel, "1.2.0", owner_approved=True)
    assert "acmew.tag" in node_types()
    # a wheel naming a look-alike of the built-in package is not built in
    (site / "acme_nodes-1.2.0.dist-info" / "entry_points.txt").write_text(
        "[aura.nodes]\nacme = nodes.core_extra:PACKAGE\n"
    )
    (entry,) = [d for d in wheels.discovered() if d["dist"] == wheel]
    assert entry["value"] == "nodes.core_extra:PACKAGE"
