"""The Marketplace page in a real browser: an install from a catalogue on a (local) HTTP
server shows its progress, and an admin uploads package files: a bad signature, a bad
manifest and a package for another AURA version are refused in plain words with nothing
installed; a good one is shown (signature, permissions) and installs on confirmation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.marketplace._helpers import built, manifest, raw_zip, served_folder
from tests.studio.conftest import Studio

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60_000
WATCH_PROGRESS = """() => {
  window.__progress = [];
  const seen = () => {
    const el = document.querySelector('#market-progress-label');
    if (el && el.textContent) window.__progress.push(el.textContent);
  };
  new MutationObserver(seen).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def url_catalogue(tmp_path: Path, studio: Studio) -> Iterator[str]:
    """The first-party catalogue on a local static HTTP server, its key trusted, the only
    catalogue source (so the page's default)."""
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
    before = packages.list_sources(None)
    for s in before:
        packages.remove_source(None, s["name"])
    with served_folder(folder) as url:
        packages.add_source(None, "first-party-http", url)
        yield url
    packages.remove_source(None, "first-party-http")
    for s in before:
        packages.add_source(None, s["name"], s["location"])


def upload(page: Any, *named: tuple[str, str, bytes]) -> None:
    page.set_input_files(
        "#market-upload input[type=file]",
        files=[{"name": n, "mimeType": m, "buffer": b} for n, m, b in named],
    )


def test_install_progress_and_package_file_upload(
    page: Any, studio: Studio, url_catalogue: str, tmp_path: Path, shot: Any
) -> None:
    from engine.services import packages
    from engine.vault.signing import generate_keypair

    page.goto(f"{studio.url}/admin/marketplace")
    page.wait_for_selector("#market-table", timeout=WAIT)
    page.locator(".market-row", has_text="aura/text-utils").wait_for(timeout=WAIT)

    # install from the HTTP catalogue: the progress bar shows the stages while it runs
    page.evaluate(WATCH_PROGRESS)
    page.get_by_label("Details of aura/text-utils").click()
    page.click("#market-install")
    page.wait_for_selector("text=Installed aura/text-utils 1.0.0", timeout=WAIT)
    page.locator(".installed-row", has_text="aura/text-utils").wait_for(timeout=WAIT)
    seen = page.evaluate("window.__progress")
    assert seen, "no progress was shown while installing"
    stages = (
        "Downloading",
        "Checking the signature, manifest and code",
        "Running its tests in the sandbox",
        "Installing",
    )
    assert all(label.startswith(stages) for label in seen), seen
    page.wait_for_selector("#market-progress", state="detached", timeout=WAIT)

    # uploads: refused files say why in plain words and install nothing
    private, public = generate_keypair("ed25519")
    other, _ = generate_keypair("ed25519")
    packages.trust_publisher(None, "acme", public.decode())
    data, sig = built(
        tmp_path / "ok", manifest("acme/upload-demo", hosts=["api.acme.test"]), key=private
    )
    _, foreign = built(tmp_path / "f", manifest("acme/upload-demo", version="2.0.0"), key=other)
    zip_ = "application/octet-stream"
    upload(
        page,
        ("demo.aurapkg", zip_, data),
        ("demo.aurapkg.sig", "application/json", json.dumps(foreign).encode()),
    )
    page.wait_for_selector("#upload-refused", timeout=WAIT)
    assert page.inner_text("#upload-problem-title").startswith("Bad signature")
    assert "changed after it was signed" in page.inner_text("#upload-problem")
    shot(page, "marketplace-upload-refused")

    bad = raw_zip([], manifest_data={**manifest("acme/upload-demo"), "version": "one"})
    upload(page, ("bad.aurapkg", zip_, bad))
    page.wait_for_function(
        "document.querySelector('#upload-problem-title')?.textContent === 'Bad manifest'",
        timeout=WAIT,
    )
    assert "is not a version number like 1.2.0" in page.inner_text("#upload-problem")

    future, _ = built(tmp_path / "v", {**manifest("acme/upload-demo"), "aura": ">=99"})
    upload(page, ("future.aurapkg", zip_, future))
    page.wait_for_function(
        "document.querySelector('#upload-problem-title')?.textContent"
        " === 'Made for another AURA version'",
        timeout=WAIT,
    )
    assert "needs AURA >=99" in page.inner_text("#upload-problem")
    assert "acme/upload-demo" not in {p["name"] for p in packages.installed(None)}

    # a good file: shown first, installed only on confirmation
    upload(
        page,
        ("demo.aurapkg", zip_, data),
        ("demo.aurapkg.sig", "application/json", json.dumps(sig).encode()),
    )
    page.wait_for_selector("#upload-preview", timeout=WAIT)
    preview = page.inner_text("#upload-preview")
    assert "signed by acme" in preview
    assert "api.acme.test" in page.inner_text("#upload-hosts")
    assert page.locator("#upload-refused").count() == 0
    assert "acme/upload-demo" not in {p["name"] for p in packages.installed(None)}
    shot(page, "marketplace-upload-preview")
    page.click("#upload-install")
    page.wait_for_selector("text=Installed acme/upload-demo 1.0.0", timeout=WAIT)
    row = page.locator(".installed-row", has_text="acme/upload-demo")
    row.wait_for(timeout=WAIT)
    assert "signed by acme" in row.inner_text()
    page.wait_for_selector("#upload-preview", state="detached", timeout=WAIT)
    info = packages.get_package(None, "acme/upload-demo")
    assert info["signed_by"] == "acme" and info["active"] == "1.0.0"

    for name in ("acme/upload-demo", "aura/text-utils"):
        page.get_by_label(f"Uninstall {name}").click()
        page.wait_for_selector(f"text=Uninstalled {name}", timeout=WAIT)
    assert not {"acme/upload-demo", "aura/text-utils"} & {
        p["name"] for p in packages.installed(None)
    }
