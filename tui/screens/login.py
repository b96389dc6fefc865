"""Sign in: the server URL, then e-mail and password (with a 2FA code when the account
has 2FA) or an API key.

With a saved sign-in the screen tries it first and dismisses itself when it works. When
the server does not answer, it says so and retries with backoff (the countdown is on
screen; editing the form and pressing enter tries at once).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static, TabbedContent, TabPane

from tui.errors import ApiError, ConsoleError, TwoFactorRequired, Unreachable
from tui.models import Me

if TYPE_CHECKING:
    from tui.app import AuraConsole

__all__ = ["LoginScreen"]


class LoginScreen(Screen[Me | None]):
    """The sign-in form; dismisses with the signed-in account."""

    BINDINGS = [Binding("ctrl+r", "retry_now", "Retry now"),
                Binding("ctrl+q", "app.quit", "Quit")]
    AUTO_FOCUS = None

    def __init__(self, url: str, reason: str = "") -> None:
        super().__init__()
        self.url = url
        self.reason = reason
        self._challenge = ""
        self._wake = asyncio.Event()

    @property
    def aura(self) -> AuraConsole:
        return cast("AuraConsole", self.app)

    def compose(self) -> ComposeResult:
        saved = self.aura.config.servers.get(self.url)
        with Center(), Vertical(id="login-box"):
            yield Label("[b]AURA console[/b] · sign in", id="login-title")
            # the status sits under the title so it stays visible on a 24-line terminal
            yield Static(self.reason, id="login-status")
            yield Input(self.url, placeholder="http://host:5678", id="server")
            with TabbedContent(id="login-method"):
                with TabPane("Password", id="tab-password"):
                    yield Input(saved.email if saved else "", placeholder="e-mail",
                                id="email")
                    yield Input(placeholder="password", password=True, id="password")
                    yield Input(placeholder="2FA code (if your account has 2FA)",
                                id="totp", max_length=12)
                with TabPane("API key", id="tab-key"):
                    yield Input(placeholder="aura_xxxxxxxx_…", password=True, id="api-key")
                    yield Label("Create one with: aura user api-key create EMAIL --name "
                                "console", classes="hint")
            yield Button("Sign in", variant="primary", id="sign-in")
        yield Footer()

    def on_mount(self) -> None:
        if self.aura.client.credentials.usable:
            self._status("Signing in with the saved credentials…")
            self._attempt(self._resume)
        else:
            self._focus_first_empty()

    def _focus_first_empty(self) -> None:
        for wid in ("#email", "#password"):
            box = self.query_one(wid, Input)
            if not box.value:
                box.focus()
                return
        self.query_one("#password", Input).focus()

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#login-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    # -- attempts ---------------------------------------------------------------------
    @work(group="login", exclusive=True)
    async def _attempt(self, action: Callable[[], Awaitable[Me]]) -> None:
        """Runs ``action`` until it signs in or fails for a reason other than the
        server not answering (which is retried with the app's backoff)."""
        attempt = 0
        while True:
            try:
                me = await action()
            except Unreachable as exc:
                attempt += 1
                await self._countdown(exc.message, attempt)
                continue
            except TwoFactorRequired as exc:
                self._challenge = exc.challenge_token
                self._status(exc.message)
                self.query_one("#totp", Input).focus()
                return
            except ConsoleError as exc:
                self._status(self._explain(exc), error=True)
                if isinstance(exc, ApiError) and exc.status == 401:
                    self.query_one("#password", Input).clear()
                    self.query_one("#totp", Input).clear()
                self._focus_first_empty()
                return
            self.dismiss(me)
            return

    async def _countdown(self, message: str, attempt: int) -> None:
        delay = self.aura.backoff.delay(attempt)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        self._wake.clear()
        while (left := deadline - loop.time()) > 0:
            self._status(f"⟳ {message} Retrying in {math.ceil(left)} s (attempt {attempt}); "
                         "ctrl+r retries now.", error=True)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=min(1.0, left))
                return
            except TimeoutError:
                continue

    @staticmethod
    def _explain(exc: ConsoleError) -> str:
        if isinstance(exc, ApiError) and exc.status == 401:
            return f"✖ {exc.message}"
        return f"✖ {exc}"

    async def _resume(self) -> Me:
        return await self.aura.client.me()

    async def _sign_in(self) -> Me:
        client = await self.aura.use_server(self.query_one("#server", Input).value)
        method = self.query_one("#login-method", TabbedContent).active
        if method == "tab-key":
            key = self.query_one("#api-key", Input).value.strip()
            if not key:
                raise ConsoleError("Paste an API key first.")
            creds = client.use_api_key(key)
            me = await client.me()
        else:
            email = self.query_one("#email", Input).value.strip()
            code = self.query_one("#totp", Input).value.strip() or None
            if self._challenge and code:
                creds = await client.verify_2fa(self._challenge, code, email)
            else:
                password = self.query_one("#password", Input).value
                if not email or not password:
                    raise ConsoleError("Enter your e-mail and password.")
                creds = await client.login(email, password, code)
            me = await client.me()
        self._challenge = ""
        self.aura.config.remember(client.url, creds)
        return me

    # -- events -----------------------------------------------------------------------
    @on(Button.Pressed, "#sign-in")
    @on(Input.Submitted)
    def submit(self) -> None:
        """Signs in with what the form says."""
        self._status("Signing in…")
        self._attempt(self._sign_in)

    @on(TabbedContent.TabActivated, "#login-method")
    def _method_changed(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-key":
            self.query_one("#api-key", Input).focus()
        elif not self.query_one("#email", Input).has_focus:
            self._focus_first_empty()

    def action_retry_now(self) -> None:
        """Skips the rest of the reconnect countdown."""
        self._wake.set()
