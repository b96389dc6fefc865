"""HTTP authentication kinds: header, bearer, basic, digest and API key.

Each may name a ``test_url``; its test sends one GET with the credential applied, the
same way the HTTP Request node does.
"""

from __future__ import annotations

import base64
from typing import ClassVar, Literal

import httpx
from pydantic import Field

from engine.credentials._net import http_test
from engine.credentials.base import CredentialKind, TestResult, secret

__all__ = ["ApiKey", "BasicAuth", "BearerToken", "DigestAuth", "HeaderAuth"]

_TEST_URL = "Optional URL to GET when testing the credential (a 2xx answer means it works)."


class _Http(CredentialKind):
    test_url: str | None = Field(None, description=_TEST_URL)

    def _apply(self) -> dict[str, object]:
        return {}

    def test(self) -> TestResult:
        if not self.test_url:
            return TestResult(True, f"The {self.title} credential is complete. Give a test "
                              "URL to check it against the service.")
        return http_test(self.test_url, what=self.title, **self._apply())  # type: ignore[arg-type]


class HeaderAuth(_Http):
    kind: ClassVar[str] = "header_auth"
    title: ClassVar[str] = "Header auth"
    description: ClassVar[str] = "Sends one header, e.g. 'X-API-Key: <value>'."

    name: str = Field(min_length=1, description="Header name, e.g. X-API-Key.")
    value: str = secret("Header value.")

    def _apply(self) -> dict[str, object]:
        return {"headers": {self.name: self.value}}


class BearerToken(_Http):
    kind: ClassVar[str] = "bearer"
    title: ClassVar[str] = "Bearer token"
    description: ClassVar[str] = "Sends 'Authorization: Bearer <token>'."

    token: str = secret("The bearer token.", min_length=1)

    def _apply(self) -> dict[str, object]:
        return {"headers": {"Authorization": f"Bearer {self.token}"}}


class BasicAuth(_Http):
    kind: ClassVar[str] = "basic_auth"
    title: ClassVar[str] = "Basic auth"
    description: ClassVar[str] = "User name and password (HTTP Basic authentication)."

    user: str = Field(min_length=1, description="User name.")
    password: str = secret("Password.", default="")

    def _apply(self) -> dict[str, object]:
        return {"auth": httpx.BasicAuth(self.user, self.password)}

    def secret_values(self) -> set[str]:
        pair = f"{self.user}:{self.password}".encode()
        return super().secret_values() | {base64.b64encode(pair).decode()}


class DigestAuth(BasicAuth):
    kind: ClassVar[str] = "digest_auth"
    title: ClassVar[str] = "Digest auth"
    description: ClassVar[str] = "User name and password (HTTP Digest authentication)."

    def _apply(self) -> dict[str, object]:
        return {"auth": httpx.DigestAuth(self.user, self.password)}


class ApiKey(_Http):
    kind: ClassVar[str] = "api_key"
    title: ClassVar[str] = "API key"
    description: ClassVar[str] = "A key sent in a header or a query parameter."

    key: str = secret("The API key.", min_length=1)
    in_: Literal["header", "query"] = Field("header", alias="in",
                                            description="Where the key goes.")
    name: str = Field("X-API-Key", min_length=1, description="Header or query parameter "
                      "name.")
    prefix: str = Field("", description="Text before the key in a header, e.g. 'Token'.")

    model_config = {**_Http.model_config, "populate_by_name": True}

    def _apply(self) -> dict[str, object]:
        if self.in_ == "query":
            return {"params": [(self.name, self.key)]}
        value = f"{self.prefix} {self.key}".strip() if self.prefix else self.key
        return {"headers": {self.name: value}}
