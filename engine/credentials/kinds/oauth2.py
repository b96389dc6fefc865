"""OAuth2 client credential: fetches and refreshes access tokens with authlib.

The token endpoint is called through authlib's ``OAuth2Client`` on AURA's SSRF-guarded
transport. With a ``refresh_token`` the refresh grant is used, otherwise
``client_credentials``. :meth:`OAuth2.refreshed` returns the credential with new token
fields; the credentials service stores them, and refreshes before expiry on use.
"""

from __future__ import annotations

import time
import warnings
from typing import Any, ClassVar, Literal

from pydantic import Field

from engine.credentials.base import CredentialKind, TestResult, secret
from engine.errors import CredentialError, SSRFBlocked

__all__ = ["OAuth2"]

EARLY_S = 60
"""Refresh this many seconds before the access token expires."""


def _client(**kwargs: Any) -> Any:
    from authlib.deprecate import AuthlibDeprecationWarning

    from engine.credentials._net import TIMEOUT_S
    from engine.net import effective_allow
    from engine.net.bridge import authlib_transport

    with warnings.catch_warnings():  # authlib prefers the httpx2 fork; both work
        warnings.simplefilter("ignore", AuthlibDeprecationWarning)
        from authlib.integrations.httpx_client import OAuth2Client

    allow = effective_allow()
    return OAuth2Client(transport=authlib_transport(allow), timeout=TIMEOUT_S,
                        trust_env=False, **kwargs)


class OAuth2(CredentialKind):
    kind: ClassVar[str] = "oauth2"
    title: ClassVar[str] = "OAuth2 client"
    description: ClassVar[str] = ("An OAuth2 client (id and secret) and the tokens it got "
                                  "from the token URL; tokens are refreshed automatically.")

    client_id: str = Field(min_length=1, description="Client id.")
    client_secret: str = secret("Client secret.", default="")
    token_url: str = Field(min_length=1, description="Token endpoint, e.g. "
                           "https://auth.example.com/oauth/token.")
    scope: str = Field("", description="Space-separated scopes to ask for.")
    auth_method: Literal["client_secret_basic", "client_secret_post"] = Field(
        "client_secret_basic", description="How the client authenticates to the token URL.")
    access_token: str = secret("Current access token (filled in by AURA).", default="")
    refresh_token: str = secret("Refresh token, if the service gave one.", default="")
    token_type: str = Field("Bearer", description="Token type sent before the token.")
    expires_at: float | None = Field(None, description="When the access token expires "
                                     "(Unix time; filled in by AURA).")

    def needs_refresh(self, now: float | None = None) -> bool:
        """True when there is no access token or it expires within a minute."""
        if not self.access_token:
            return True
        if self.expires_at is None:
            return False
        return self.expires_at - EARLY_S <= (time.time() if now is None else now)

    def refreshed(self) -> OAuth2:
        """A copy with a new access token from the token URL.

        Raises:
            CredentialError: the token endpoint refused or could not be reached.
        """
        kwargs = {"client_id": self.client_id, "client_secret": self.client_secret,
                  "token_endpoint_auth_method": self.auth_method,
                  "scope": self.scope or None}
        try:
            with _client(**kwargs) as client:
                if self.refresh_token:
                    token = client.refresh_token(self.token_url,
                                                 refresh_token=self.refresh_token)
                else:
                    token = client.fetch_token(self.token_url, grant_type="client_credentials")
        except SSRFBlocked:
            raise
        except Exception as exc:  # authlib raises OAuthError, httpx errors, JSON errors...
            raise CredentialError(f"The token URL {self.token_url} did not give a token: "
                                  f"{getattr(exc, 'description', None) or exc}.") from None
        if not token.get("access_token"):
            raise CredentialError(f"The token URL {self.token_url} answered without an "
                                  "access_token.")
        expires_at = token.get("expires_at")
        if expires_at is None and token.get("expires_in"):
            expires_at = time.time() + float(token["expires_in"])
        return self.model_copy(update={
            "access_token": str(token["access_token"]),
            "refresh_token": str(token.get("refresh_token") or self.refresh_token),
            "token_type": str(token.get("token_type") or "Bearer").capitalize()
            if str(token.get("token_type") or "bearer").lower() == "bearer"
            else str(token["token_type"]),
            "expires_at": float(expires_at) if expires_at is not None else None})

    def test(self) -> TestResult:
        try:
            new = self.refreshed()
        except (CredentialError, SSRFBlocked) as exc:
            return TestResult(False, exc.message)
        left = f", valid for {int(new.expires_at - time.time())} s" if new.expires_at else ""
        return TestResult(True, f"Got an access token from {self.token_url}{left}.")
