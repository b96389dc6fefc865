"""``aura up`` as the README starts it, with the studio (one for this module's tests):

- a new user opens the studio in Chromium, creates the owner account and lands on the
  workflows page; the studio is one process (built, then served with its API by
  ``python -m studio.serve``), which also answers the API on its own port;
- the docs: the studio's port and the API's port both serve the docs site at ``/docs``;
  the help menu at the foot of the navigation links to the docs' pages, and each opens
  in a new tab and answers; a node's panel links to that node type's reference page,
  which opens and is about it.

The first test sets the instance up in the page, so it runs first (file order)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.studio.conftest import OWNER
from tests.support.aura_up import start_up, stop_up, up_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
NODE = '[data-testid="aura-node"][data-name="{}"]'


@dataclass(frozen=True)
class Up:
    """A real ``aura up`` with its studio: the process, the studio's and the API's URL."""

    proc: Any
    url: str
    api: str


@pytest.fixture(scope="module")
def aura_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    """``aura up`` with the studio, shared by this module's tests (each start builds the
    web app: minutes on two busy cores); yields once the studio, the API and the docs
    site all answer. Its instance has no owner until the first test sets it up."""
    from engine.runtimes.embedded import free_port

    base_dir = tmp_path_factory.mktemp("aura-up")
    api, port = free_port(), free_port()
    env = up_env(base_dir / "data", {"AURA_LOG_LEVEL": "WARNING"})
    for key in (
        "AURA_RUNTIME",
        "AURA_STUDIO_URL",
        "AURA_API_DOCS_DIR",
        "REFLEX_WEB_WORKDIR",
        "REFLEX_API_URL",
    ):
        env.pop(key, None)
    log = base_dir / "up.log"
    proc, lines = start_up("--port", str(api), "--studio-port", str(port), env=env, log=log)
    up = Up(proc, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{api}")

    def answers(url: str) -> bool:
        try:
            return httpx.get(url, timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        deadline = time.monotonic() + 840  # a first build installs the npm packages
        while not all(map(answers, (up.url + "/", up.api + "/healthz", up.url + "/docs/"))):
            assert proc.poll() is None, f"aura up exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no studio or docs:\n{log.read_text()[-3000:]}"
            time.sleep(1)
        yield up
    finally:
        stop_up(proc, lines)


def _children(pid: int) -> list[tuple[int, str]]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for kid in (task / "children").read_text().split():
            cmd = Path(f"/proc/{kid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            out.append((int(kid), cmd))
    return out


def test_aura_up_serves_the_studio_to_a_new_user(aura_up: Up, browser: Any) -> None:
    proc, base, api_base = aura_up.proc, aura_up.url, aura_up.api
    kids = [cmd for _, cmd in _children(proc.pid)]
    assert sum("studio.serve" in cmd for cmd in kids) == 1, kids
    assert not any("reflex run" in cmd for cmd in kids), kids
    # the studio process serves the API on its port too: no separate API process
    assert not any("studio.api" in cmd for cmd in kids), kids

    page = browser.new_context().new_page()
    page.goto(f"{base}/workflows")
    page.wait_for_selector("#setup-form", timeout=60_000)  # no owner yet
    page.fill("#f-name", OWNER["name"])
    page.fill("#f-email", OWNER["email"])
    page.fill("#f-password", OWNER["password"])
    page.fill("#f-confirm", OWNER["password"])
    page.click("#setup-submit")
    page.wait_for_selector("#user-menu >> text=owner", timeout=60_000)
    assert urlsplit(page.url).path.rstrip("/") == "/workflows"

    # the API on its own port knows the owner the studio created
    r = httpx.post(
        f"{api_base}/api/v1/auth/login",
        json={"email": OWNER["email"], "password": OWNER["password"]},
        timeout=30,
    )
    assert r.status_code == 200, r.text

    # the build left the tracked files as they were (a clean work tree after aura up)
    if (ROOT / ".git").exists():
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "reflex.lock", ".gitignore", "rxconfig.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert changed == "", changed


@pytest.fixture
def owner_account_of_up(aura_up: Up) -> str:
    """An access token of the owner of the module's ``aura up`` (made through the API
    unless the first-run test already made it in the page)."""
    r = httpx.post(f"{aura_up.api}/api/v1/auth/setup", json=OWNER, timeout=30)
    if r.status_code != 201:  # the owner exists: sign in as them
        r = httpx.post(
            f"{aura_up.api}/api/v1/auth/login",
            json={"email": OWNER["email"], "password": OWNER["password"]},
            timeout=30,
        )
    assert r.status_code in (200, 201), r.text
    return str(r.json()["access_token"])


def test_help_menu_and_node_panel_open_the_docs(
    aura_up: Up, owner_account_of_up: str, browser: Any, shot: Any
) -> None:
    from engine.services.docs import node_page_url
    from studio.components.help_menu import HELP_LINKS

    base, api_base, token = aura_up.url, aura_up.api, owner_account_of_up
    # both ports serve the same site
    on_studio, on_api = httpx.get(f"{base}/docs/"), httpx.get(f"{api_base}/docs/")
    assert on_api.status_code == 200 and on_api.text == on_studio.text
    assert "Getting started" in on_studio.text

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
