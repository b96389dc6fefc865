"""Every studio page at 1440x900 and 1280x720, light and dark: nothing broken on the way
(no error page, no 404, no horizontal scroll bar), and the screenshot set of the docs.

The pictures go to AURA_SCREENSHOTS like every browser test's; with
``AURA_DOCS_SCREENSHOTS=1`` they are written to ``docs/screenshots/`` instead (that is
how the committed set is refreshed: ``AURA_DOCS_SCREENSHOTS=1 pytest -m browser
tests/studio/test_browser_screenshots.py``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.studio.conftest import SHOTS, sign_in
from tests.studio.test_browser_studio import EXAMPLE, NODE, _seed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"1440": {"width": 1440, "height": 900}, "1280": {"width": 1280, "height": 720}}


def _out() -> Path:
    out = DOCS if os.environ.get("AURA_DOCS_SCREENSHOTS") == "1" else SHOTS / "set"
    out.mkdir(parents=True, exist_ok=True)
    return out


def _nav_pages() -> list[tuple[str, str]]:
    """The pages of the navigation rail (whatever pages it lists today)."""
    from studio.components.shell import ADMIN_NAV, NAV

    return [(href.strip("/").replace("/", "-"), href) for _, href, _ in [*NAV, *ADMIN_NAV]]


def _context(browser: Any, size: str, theme: str) -> Any:
    """A browser context of that size whose studio colour mode is ``theme`` (the studio
    keeps its mode in the browser's storage, as the Settings page sets it)."""
    context = browser.new_context(viewport=SIZES[size], color_scheme=theme)
    context.add_init_script(f"window.localStorage.setItem('theme', '{theme}')")
    return context


@pytest.fixture(scope="module")
def sample(browser: Any, studio: Any, owner_account: dict[str, str]) -> dict[str, str]:
    """A workflow to draw, and a failed past execution to look at (run in the editor)."""
    data = json.loads(EXAMPLE.read_text())
    data["name"] = "Orders"
    wid = _seed(data)
    fails = _seed({"name": "Check orders (fails)", "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
        {"name": "Check", "type": "core.stop_and_error", "position": [300, 0],
         "parameters": {"message": "The order has no customer"}}],
        "connections": [{"source": "Start", "target": "Check"}]})
    context = browser.new_context()
    sign_in(context, studio, owner_account["email"], owner_account["password"])
    page = context.new_page()
    page.goto(f"{studio.url}/workflows/{fails}")
    page.wait_for_selector('[data-testid="aura-node"]', timeout=60_000)
    page.click("#run-workflow")
    page.wait_for_selector("#run-error", timeout=60_000)
    context.close()
    return {"workflow": wid, "fails": fails}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_page_at_both_sizes_and_themes(browser: Any, studio: Any, sample: dict[str, str],
                                             owner_account: dict[str, str], size: str,
                                             theme: str) -> None:
    out = _out()
    context = _context(browser, size, theme)
    sign_in(context, studio, owner_account["email"], owner_account["password"])
    page = context.new_page()
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    problems: list[str] = []

    def look(name: str) -> None:
        dark = "" if theme == "dark" else "!"
        page.wait_for_function(f"{dark}document.documentElement.classList.contains('dark')")
        page.wait_for_timeout(400)
        wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        if wide:
            problems.append(f"{name}: the page scrolls sideways at {size}")
        page.screenshot(path=str(out / f"{name}-{size}-{theme}.png"))

    for name, href in _nav_pages():
        page.goto(f"{studio.url}{href}")
        page.wait_for_selector("h1", timeout=60_000)
        look(name)
    page.goto(f"{studio.url}/workflows/{sample['workflow']}")
    page.wait_for_selector('[data-testid="aura-node"]', timeout=60_000)
    look("editor")
    page.locator(NODE.format("Big order?")).dblclick()
    page.wait_for_selector("#node-panel")
    look("editor-node-panel")
    page.keyboard.press("Escape")
    page.wait_for_selector("#node-panel", state="detached")
    page.keyboard.press("Tab")
    page.wait_for_selector("#palette")
    look("editor-palette")
    page.goto(f"{studio.url}/executions")
    page.wait_for_selector(".ex-row .ex-link", timeout=60_000)
    page.locator(".ex-row", has_text="Check orders").locator(".ex-link").first.click()
    page.wait_for_selector('[data-testid="aura-node"][data-status="failed"]', timeout=60_000)
    look("execution-detail")
    page.locator(NODE.format("Check")).dblclick()
    page.wait_for_selector("#node-panel")
    assert "No output: this node failed" in page.inner_text("#node-panel")
    look("execution-detail-node")
    page.goto(f"{studio.url}/account")
    page.wait_for_selector("h1")
    look("account")
    context.close()

    signed_out = _context(browser, size, theme)
    login = signed_out.new_page()
    login.goto(f"{studio.url}/login")
    login.wait_for_selector("input[type=password]", timeout=60_000)
    login.wait_for_timeout(300)
    login.screenshot(path=str(out / f"login-{size}-{theme}.png"))
    signed_out.close()
    assert [u for u in missing if "/api/" not in u] == []
    assert problems == []
