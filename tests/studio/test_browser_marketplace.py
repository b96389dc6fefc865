"""The Marketplace page in a real browser, as an admin uses it with an offline catalogue
(a folder built from nodes/catalogue, signed, no network): browse and search, the
verified badge, what a package may reach shown before installing, install, its node
runs, then uninstall. (A worker started before an install running the new node is
tests/marketplace/test_hot_reload.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.studio.conftest import Studio

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60_000


@pytest.fixture
def offline_catalogue(tmp_path: Path, studio: Studio) -> Path:
    """The first-party catalogue built into a folder, its key trusted, added as source."""
    from engine.marketplace.build import build_package, sign_package
    from engine.marketplace.sources import publish, sign_index
    from engine.services import packages
    from engine.vault.signing import generate_keypair

    private, public = generate_keypair("ed25519")
    folder = tmp_path / "catalogue"
    for src in sorted((ROOT / "nodes" / "catalogue").glob("aura-*")):
        data, _ = build_package(src)
        publish(folder, data, sign_package(data, private), name="AURA first-party")
    sign_index(folder, private, "aura")
    packages.trust_publisher(None, "aura", public.decode())
    packages.add_source(None, "first-party", str(folder))
    return folder


def test_admin_installs_a_package_from_the_offline_catalogue(
    page: Any, studio: Studio, offline_catalogue: Path, shot: Any
) -> None:
    from engine.sdk.testing import NodeHarness
    from engine.services import packages

    page.goto(f"{studio.url}/admin/marketplace")
    page.wait_for_selector("#market-table", timeout=WAIT)
    assert page.locator("#nav-admin >> text=Marketplace").is_visible()
    assert "index signed by aura" in page.inner_text("#market-signer")
    slack = page.locator(".market-row", has_text="aura/slack")
    slack.wait_for(timeout=WAIT)
    assert slack.locator(".verified-badge").is_visible()
    assert page.locator(".market-row").count() >= 5
    shot(page, "marketplace")

    # what Slack may reach, before installing
    page.get_by_label("Details of aura/slack").click()
    page.wait_for_selector("#market-detail", timeout=WAIT)
    assert "slack.com" in page.inner_text("#market-hosts")
    assert "bearer" in page.inner_text("#market-kinds")
    shot(page, "marketplace-permissions")
    page.keyboard.press("Escape")
    page.wait_for_selector("#market-detail", state="detached", timeout=WAIT)

    # search, then install the text utilities (no network access)
    page.fill("#market-search", "slug")
    page.click("#market-search-go")
    page.wait_for_function("document.querySelectorAll('.market-row').length === 1", timeout=WAIT)
    page.get_by_label("Details of aura/text-utils").click()
    assert "no network access" in page.inner_text("#market-hosts")
    page.click("#market-install")
    page.wait_for_selector("text=Installed aura/text-utils", timeout=WAIT)
    row = page.locator(".installed-row", has_text="aura/text-utils")
    row.wait_for(timeout=WAIT)
    assert "signed by aura" in row.inner_text()
    assert page.locator(".market-row .installed-badge").count() == 1
    shot(page, "marketplace-installed")
    info = packages.get_package(None, "aura/text-utils")
    assert info["signed_by"] == "aura" and info["active"] == "1.0.0"
    ran = NodeHarness("aura.slugify").run(parameters={}, input=[{"title": "Hello World"}])
    assert ran.json() == [{"title": "Hello World", "slug": "hello-world"}]

    # uninstall: the row and the node are gone
    page.get_by_label("Uninstall aura/text-utils").click()
    page.wait_for_selector("text=Uninstalled aura/text-utils", timeout=WAIT)
    row.wait_for(state="detached", timeout=WAIT)
    from engine.sdk import get_catalog

    assert "aura.slugify" not in {s.type for s in get_catalog().all()}
