"""Installing from a catalogue on an HTTP server (a real local one) reports progress: the
download in bytes as it arrives, then checking, the package's tests in the sandbox and
storing; the CLI shows it as a bar that ends at 100 %."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.marketplace import sources, trust
from engine.marketplace.install import progress_percent
from engine.services import packages
from tests.marketplace._helpers import built, manifest, served_folder

runner = CliRunner()


@pytest.fixture
def served(
    store: Any, tmp_path: Path, acme_key: tuple[bytes, bytes]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A signed catalogue with one package of ~300 KB (its docs are random text, so the
    download takes many chunks), trusted, on a local static HTTP server."""
    man = manifest("acme/big-docs")
    man["nodes"][0]["docs"] = "docs.md"
    docs = base64.b64encode(os.urandom(220_000)).decode()
    lines = "\n".join(docs[i : i + 76] for i in range(0, len(docs), 76))
    data, sig = built(tmp_path / "src", man, key=acme_key[0], files={"docs.md": lines})
    assert sig is not None
    folder = tmp_path / "catalogue"
    entry = sources.publish(folder, data, sig, name="Acme")
    (folder / (entry["file"] + ".sig")).write_text(json.dumps(sig))  # for a direct URL
    sources.sign_index(folder, acme_key[0], "acme")
    trust.add_publisher(store, "acme", acme_key[1].decode())
    with served_folder(folder) as url:
        yield url, entry


def test_the_download_and_each_stage_are_reported_in_order(
    served: tuple[str, dict[str, Any]],
) -> None:
    url, entry = served
    heard: list[tuple[str, int, int]] = []
    info = packages.install_from_catalogue(
        None, "acme/big-docs", source=url, progress=lambda *a: heard.append(a)
    )
    assert info["active"] == "1.0.0" and info["signed_by"] == "acme"
    downloads = [(done, total) for stage, done, total in heard if stage == "download"]
    assert len(downloads) > 3, downloads  # it arrived in pieces, each reported
    assert [d for d, _ in downloads] == sorted(d for d, _ in downloads)
    assert downloads[-1] == (entry["size"], entry["size"])
    assert entry["size"] > 200_000
    later = [stage for stage, _, _ in heard if stage != "download"]
    assert later == ["check", "test", "store", "store"]
    assert heard.index(("check", 0, 1)) > len(downloads) - 1
    percents = [progress_percent(*h) for h in heard]
    assert percents == sorted(percents) and percents[-1] == 100 and percents[0] < 50


def test_the_cli_shows_a_bar_for_a_catalogue_and_for_a_direct_url(
    served: tuple[str, dict[str, Any]],
) -> None:
    url, entry = served
    r = runner.invoke(app, ["packages", "install", "acme/big-docs", "--from", url])
    assert r.exit_code == 0, r.output
    assert "Installing" in r.output and "100%" in r.output
    assert "Installed acme/big-docs 1.0.0" in r.output
    packages.uninstall(None, "acme/big-docs")
    r = runner.invoke(app, ["packages", "install", url + entry["file"]])
    assert r.exit_code == 0, r.output
    assert "100%" in r.output and "signed by acme" in r.output
    missing = runner.invoke(app, ["packages", "install", url + "packages/none.aurapkg"])
    assert missing.exit_code == 2 and "answered HTTP 404" in missing.output
