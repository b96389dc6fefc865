"""The docs from the studio, with a real ``aura up`` (studio included): the studio's port
and the API's port both serve the docs site at ``/docs``; the help menu at the foot of
the navigation links to the docs' pages, and each opens in a new tab and answers; a
node's panel links to that node type's reference page, which opens and is about it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.studio.conftest import OWNER
from tests.support.aura_up import start_up, stop_up, up_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NODE = '[data-testid="aura-node"][data-name="{}"]'


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return None


@pytest.fixture
def up(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``aura up`` with the studio; (studio URL, API URL) once both answer and the docs
    are built."""
    from engine.runtimes.embedded import free_port

    api, studio = free_port(), free_port()
    env = up_env(tmp_path / "data", {"AURA_LOG_LEVEL": "WARNING"})
    for key in (
        "AURA_RUNTIME",
        "AURA_STUDIO_URL",
        "AURA_API_DOCS_DIR",
        "REFLEX_WEB_WORKDIR",
        "REFLEX_API_URL",
    ):
        env.pop(key, None)
    log = tmp_path / "up.log"
    proc, lines = start_up("--port", str(api), "--studio-port", str(studio), env=env, log=log)
    base, api_base = f"http://127.0.0.1:{studio}", f"http://127.0.0.1:{api}"
    try:
        deadline = time.monotonic() + 840  # a first build installs the npm packages
        while True:
            home, docs = _get(base + "/"), _get(base + "/docs/")
            if (
                home is not None
                and home.status_code == 200
                and docs is not None
                and docs.status_code == 200
            ):
                break
            assert proc.poll() is None, f"aura up exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no studio or docs:\n{log.read_text()[-3000:]}"
            time.sleep(2)
        yield base, api_base
    finally:
        stop_up(proc, lines)


def test_help_menu_and_node_panel_open_the_docs(
    up: tuple[str, str], browser: Any, shot: Any
) -> None:
    from engine.services.docs import node_page_url
    from studio.components.help_menu import HELP_LINKS

    base, api_base = up
    # both ports serve the same site
    on_studio, on_api = httpx.get(f"{base}/docs/"), httpx.get(f"{api_base}/docs/")
    assert on_api.status_code == 200 and on_api.text == on_studio.text
    assert "Getting started" in on_studio.text

    r = httpx.post(f"{api_base}/api/v1/auth/setup", json=OWNER, timeout=30)
    assert r.status_code == 201, r.text
    token = r.json()["access_token"]
    r = httpx.post(
        f"{api_base}/api/v1/workflows",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "name": "Docs links",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
                {"name": "Shape", "type": "core.set", "position": [320, 0]},
            ],
            "connections": [{"source": "Start", "target": "Shape"}],
        },
        timeout=30,
    )
    assert r.status_code == 201, r.text
    workflow_id = r.json()["id"]

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    signed = context.request.post(
        f"{base}/api/v1/auth/login",
        data={"email": OWNER["email"], "password": OWNER["password"]},
    )
    assert signed.ok, signed.text()
    page = context.new_page()
    page.goto(f"{base}/workflows")
    page.wait_for_selector("#user-menu >> text=owner", timeout=60_000)

    # the help menu: every entry is a link into /docs that answers
    page.click("#help-menu")
    page.locator("#help-documentation").wait_for()
    shot(page, "docs-help-menu")
    for label, href, _ in HELP_LINKS:
        link = page.locator(f"#help-{label.lower().replace(' ', '-')}")
        link.wait_for()
        assert link.get_attribute("href") == href and link.inner_text().strip() == label
        assert link.get_attribute("target") == "_blank"
        answer = httpx.get(base + href, timeout=10)
        assert answer.status_code == 200, (href, answer.status_code)
    with context.expect_page() as opened:
        page.click("#help-documentation")
    docs = opened.value
    docs.wait_for_load_state()
    shot(docs, "docs-opened-from-help")
    assert docs.url == f"{base}/docs/"
    assert docs.locator("h1").first.inner_text() == "AURA"
    assert docs.locator("nav >> text=Concepts").count() > 0
    docs.close()
    page.keyboard.press("Escape")

    # a node's panel links to its type's reference page
    page.goto(f"{base}/workflows/{workflow_id}")
    page.wait_for_selector(NODE.format("Shape"), timeout=60_000)
    page.wait_for_function("window.__auraReady === true")
    page.locator(NODE.format("Shape")).dblclick()
    link = page.locator("#node-panel #node-docs")
    link.wait_for()
    shot(page, "docs-node-panel-link")
    assert link.get_attribute("href") == node_page_url("core.set")
    with context.expect_page() as opened:
        link.click()
    reference = opened.value
    reference.wait_for_load_state()
    assert reference.url == base + node_page_url("core.set")
    assert reference.locator("h1").first.inner_text().startswith("Edit Fields (Set)")
    assert "core.set" in reference.content()
    context.close()
