"""Signing in: password (and 2FA), API key, the saved session (0600), wrong passwords,
and a server that does not answer yet (countdown with backoff, then it connects)."""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from textual.widgets import Input, Static, TabbedContent

import tui.__main__ as tui_main
from engine.config import reset_settings
from tests.tui._helpers import make_app, signed_in, text_of, wait_for
from tests.tui._proxy import Proxy
from tests.tui._server import EMAIL, PASSWORD, Server, free_port
from tui.screens.login import LoginScreen
from tui.widgets.connection_bar import ConnectionBar

pytestmark = pytest.mark.anyio


def _status(app: Any) -> str:
    return text_of(app.screen.query_one("#login-status", Static))


async def _fill(pilot: Any, **values: str) -> None:
    for wid, value in values.items():
        box = pilot.app.screen.query_one(f"#{wid}", Input)
        box.value = value
    await pilot.pause()


async def test_password_sign_in_keeps_the_session_private(
    server: Server, config_file: Path
) -> None:
    app = make_app(server, config_file)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert app.screen.query_one("#email", Input).has_focus
        await _fill(pilot, email=EMAIL, password=PASSWORD)
        await pilot.press("enter")
        await signed_in(pilot)
        bar = app.screen.query_one(ConnectionBar)
        await wait_for(pilot, lambda: EMAIL in text_of(bar), what="user in the bar")
        assert text_of(bar).startswith("● 127.0.0.1:")
    saved = json.loads(config_file.read_text())
    creds = saved["servers"][server.url]
    assert creds["kind"] == "token" and creds["access_token"] and creds["refresh_token"]
    assert PASSWORD not in config_file.read_text()
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_file.parent.stat().st_mode) == 0o700

    again = make_app(server, config_file)  # a new console: no form, straight in
    async with again.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        assert again.me is not None and again.me.email == EMAIL


async def test_wrong_password_is_refused_and_the_form_stays(
    server: Server, config_file: Path
) -> None:
    app = make_app(server, config_file)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await _fill(pilot, email=EMAIL, password="not the password")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "✖" in _status(app), what="an error")
        assert "password" in _status(app).lower()
        assert app.screen.query_one("#password", Input).value == ""
        assert app.screen.query_one("#password", Input).has_focus
        assert not app.signed_in
    assert not config_file.exists() or server.url not in config_file.read_text()


async def test_api_key_sign_in(server: Server, config_file: Path) -> None:
    app = make_app(server, config_file)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.click("#--content-tab-tab-key")
        await wait_for(pilot, lambda: app.screen.query_one(TabbedContent).active == "tab-key")
        assert app.screen.query_one("#api-key", Input).has_focus
        await _fill(pilot, **{"api-key": server.api_key})
        await pilot.click("#sign-in")
        await signed_in(pilot)
        bar = app.screen.query_one(ConnectionBar)
        await wait_for(pilot, lambda: "(owner, API key)" in text_of(bar))
    assert json.loads(config_file.read_text())["servers"][server.url]["kind"] == "api_key"


async def test_server_and_api_key_come_from_the_settings(
    server: Server, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``aura tui`` with no options, in a directory whose ``.env`` names the server and an
    API key (the console's settings, under their short names): the console opens signed in
    on that server, without the sign-in form, and does not save the key."""
    for name in ("AURA_URL", "AURA_API_KEY", "AURA_CONSOLE_URL", "AURA_CONSOLE_API_KEY"):
        monkeypatch.setenv(name, "")  # remembered, so undo() restores what was there
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        f"AURA_URL={server.url}\nAURA_API_KEY={server.api_key}\nAURA_CONSOLE_CONFIG={config_file}\n"
    )
    reset_settings()
    try:
        app = tui_main.console([])
        async with app.run_test(size=(100, 30)) as pilot:
            await signed_in(pilot)
            bar = app.screen.query_one(ConnectionBar)
            await wait_for(pilot, lambda: "(owner, API key)" in text_of(bar))
            assert text_of(bar).startswith("● 127.0.0.1:")
    finally:
        monkeypatch.undo()
        reset_settings()
    assert server.api_key not in (config_file.read_text() if config_file.exists() else "")


@pytest.fixture
def two_factor_user(server: Server) -> Iterator[dict[str, str]]:
    """An admin with 2FA on (invited by the owner, enrolled through the API)."""
    email, password = f"twofa-{free_port()}@example.com", "another long passphrase"
    with server.client() as c:
        token = c.post("/invitations", json={"email": email, "role": "admin"}).json()["token"]
        assert (
            c.post(
                "/auth/invitations/accept", json={"token": token, "password": password}
            ).status_code
            == 201
        )
        login = c.post("/auth/login", json={"email": email, "password": password}).json()
        auth = {"Authorization": f"Bearer {login['access_token']}"}
        secret = c.post("/auth/2fa/enrol", headers=auth).json()["secret"]
        # confirm with the previous time step's code: the current one stays unused
        r = c.post(
            "/auth/2fa/confirm",
            headers=auth,
            json={"code": pyotp.TOTP(secret).at(time.time() - 30)},
        )
        assert r.status_code == 200, r.text
    yield {"email": email, "password": password, "secret": secret}


async def test_two_factor_sign_in(
    server: Server, config_file: Path, two_factor_user: dict[str, str]
) -> None:
    app = make_app(server, config_file)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await _fill(pilot, email=two_factor_user["email"], password=two_factor_user["password"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: "code" in _status(app), what="a request for the code")
        assert app.screen.query_one("#totp", Input).has_focus
        assert not app.signed_in
        await pilot.press(*pyotp.TOTP(two_factor_user["secret"]).now())
        await pilot.press("enter")
        await signed_in(pilot)
        assert app.me is not None and app.me.email == two_factor_user["email"]


async def test_unreachable_server_is_retried_with_backoff(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    proxy = Proxy(free_port(), int(server.url.rsplit(":", 1)[1]))
    try:
        app = make_app(None, config_file, tokens=tokens, url=proxy.url)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "attempt 2" in _status(app), what="retries")
            status = _status(app)
            assert "Cannot reach" in status and "connection refused" in status
            assert "Retrying in" in status and not app.signed_in
            proxy.start()  # the server comes up: the console gets in by itself
            await signed_in(pilot)
    finally:
        proxy.close()
