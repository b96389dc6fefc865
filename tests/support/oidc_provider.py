"""A real, local OpenID Connect provider for tests, built on authlib's server side, plus
a small GitHub look-alike (OAuth2 + the user and e-mails APIs).

It runs under uvicorn in a thread on a free loopback port::

    from tests.support.oidc_provider import oidc_provider

    with oidc_provider(users=[{"sub": "u1", "email": "ann@example.com"}]) as idp:
        idp.issuer, idp.client_id, idp.client_secret   # register it in AURA
        idp.github_base_url                            # for the "github" preset
        idp.set_user(sub="u2", email="bob@example.com", email_verified=False)

``/authorize`` approves the *current* user at once (the first of ``users`` until
``set_user``). Tests make the provider misbehave with :meth:`OidcProviderForTests.tamper`
(``nonce=``, ``aud=``, ``iss=``, ``exp_offset=``, ``other_key=True``) or
:meth:`OidcProviderForTests.deny` (``/authorize`` answers ``error=access_denied``).

Endpoints: ``/.well-known/openid-configuration``, ``/authorize``, ``/token``, ``/jwks``,
``/userinfo``; GitHub's shape under ``/github``: ``/login/oauth/authorize``,
``/login/oauth/access_token``, ``/api/v3/user``, ``/api/v3/user/emails``.

:func:`serve_asgi` serves any ASGI app the same way (the tests also run AURA's API
with it, so a real browser-like client can follow every redirect).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import uvicorn
from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

__all__ = ["IdpUser", "OidcProviderForTests", "oidc_provider", "serve_asgi"]


@contextmanager
def serve_asgi(app: Any, *, host: str = "127.0.0.1", timeout: float = 15.0
               ) -> Iterator[str]:
    """Serves ``app`` with uvicorn in a thread on a free port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="auto"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"asgi-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


@dataclass
class IdpUser:
    """A person at the provider."""

    sub: str
    email: str
    email_verified: bool = True
    name: str = ""
    github_id: int = 0
    tid: str | None = None
    """A Microsoft tenant id: tokens then look like Entra ID's (``tid``, issuer per
    tenant, ``xms_edov`` instead of ``email_verified``)."""

    def __post_init__(self) -> None:
        self.github_id = self.github_id or (abs(hash(self.sub)) % 10_000_000 + 1)
        self.name = self.name or self.email.split("@")[0]


class _Client(ClientMixin):  # type: ignore[misc]
    def __init__(self, client_id: str, secret: str, redirect_uris: list[str] | None) -> None:
        self.client_id, self.secret, self.redirect_uris = client_id, secret, redirect_uris

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        if self.redirect_uris is not None:
            return redirect_uri in self.redirect_uris
        host = urlsplit(redirect_uri).hostname or ""
        if host in ("localhost", "testserver"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret or "", self.secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code(AuthorizationCodeMixin):  # type: ignore[misc]
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: IdpUser
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


class _Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, method: str, url: str, headers: Any, query: dict[str, str],
                 form: dict[str, str]) -> None:
        super().__init__(method, url, headers=headers)
        self._args, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class OidcProviderForTests:
    """The running provider: its URLs, client, users and knobs (see the module doc)."""

    def __init__(self, users: list[IdpUser], client_id: str, client_secret: str,
                 redirect_uris: list[str] | None) -> None:
        self.users = users
        self.current: IdpUser | None = users[0] if users else None
        self.client_id, self.client_secret = client_id, client_secret
        self.client = _Client(client_id, client_secret, redirect_uris)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "idp-key-1"}, private=True)
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "idp-key-1"},
                                             private=True)
        self.issuer = ""
        self._tamper: dict[str, Any] = {}
        self._deny: str | None = None
        self.codes: dict[str, _Code] = {}
        self.tokens: dict[str, IdpUser] = {}
        self.requests: list[str] = []
        self.server = self._server()

    # -- knobs ------------------------------------------------------------------------------
    @property
    def github_base_url(self) -> str:
        return f"{self.issuer}/github"

    def set_user(self, sub: str | None = None, email: str | None = None, *,
                 email_verified: bool = True, name: str = "", tid: str | None = None
                 ) -> IdpUser:
        """Makes (or finds by ``sub``) the user that ``/authorize`` approves next."""
        sub = sub or (email or "user").split("@")[0]
        user = next((u for u in self.users if u.sub == sub), None)
        if user is None:
            user = IdpUser(sub, email or f"{sub}@example.com", email_verified, name, tid=tid)
            self.users.append(user)
        else:
            if email is not None:
                user.email = email
            user.email_verified = email_verified
            user.name = name or user.name
            user.tid = tid
        self.current = user
        return user

    def tamper(self, **changes: Any) -> None:
        """Wrong ID tokens from now on: ``nonce``, ``aud``, ``iss`` (values),
        ``exp_offset`` (seconds added to exp), ``other_key=True`` (signed by a key that is
        not in the JWKS). ``tamper()`` with nothing restores honest tokens."""
        self._tamper = dict(changes)

    def deny(self, error: str | None = "access_denied") -> None:
        """``/authorize`` answers this error (None: approve again)."""
        self._deny = error

    # -- authlib server --------------------------------------------------------------------
    def _server(self) -> AuthorizationServer:
        idp = self

        class Server(AuthorizationServer):  # type: ignore[misc]
            def query_client(self, client_id: str) -> _Client | None:
                return idp.client if client_id == idp.client_id else None

            def save_token(self, token: dict[str, Any], request: Any) -> None:
                idp.tokens[token["access_token"]] = request.user

            def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
                pass

            def create_oauth2_request(self, request: Any) -> Any:
                return request

            def create_json_request(self, request: Any) -> Any:
                return request

            def handle_response(self, status: int, body: Any, headers: Any) -> Response:
                hdrs = dict(headers)
                if isinstance(body, dict):
                    return JSONResponse(body, status, hdrs)
                if status == 302 and "Location" in hdrs:
                    return RedirectResponse(hdrs.pop("Location"), 302, hdrs)
                return Response(body or "", status, hdrs)

        class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, request: Any) -> None:
                p = request.payload
                idp.codes[code] = _Code(code, request.client.get_client_id(),
                                        p.redirect_uri, request.scope, request.user,
                                        p.data.get("nonce"), p.data.get("code_challenge"),
                                        p.data.get("code_challenge_method"))

            def query_authorization_code(self, code: str, client: Any) -> _Code | None:
                row = idp.codes.get(code)
                return row if row is not None and row.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: _Code) -> None:
                idp.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: _Code) -> IdpUser:
                return authorization_code.user

        class OpenID(OpenIDCode):  # type: ignore[misc]
            def exists_nonce(self, nonce: str, request: Any) -> bool:
                return any(c.nonce == nonce for c in idp.codes.values())

            def resolve_client_private_key(self, client: Any) -> RSAKey:
                return idp.other_key if idp._tamper.get("other_key") else idp.key

            def get_client_algorithm(self, client: Any) -> str:
                return "RS256"

            def get_encode_header(self, client: Any) -> dict[str, str]:
                return {"alg": "RS256", "kid": "idp-key-1"}

            def get_client_claims(self, client: Any) -> dict[str, Any]:
                t = idp._tamper
                now = int(time.time())
                tid = idp.current.tid if idp.current else None
                iss = f"{idp.issuer}/{tid}/v2.0" if tid else idp.issuer
                return {"iss": t.get("iss", iss), "aud": [t.get("aud", idp.client_id)],
                        "iat": now, "exp": now + 600 + int(t.get("exp_offset", 0))}

            def generate_user_info(self, user: IdpUser, scope: str) -> UserInfo:
                info = UserInfo(sub=user.sub, name=user.name, email=user.email,
                                email_verified=user.email_verified)
                if user.tid:  # Entra ID: no email_verified; xms_edov when verified
                    del info["email_verified"]
                    info["tid"] = user.tid
                    if user.email_verified:
                        info["xms_edov"] = True
                if "nonce" in idp._tamper:
                    info["nonce"] = idp._tamper["nonce"]
                return info

        server = Server()
        server.register_token_generator("default", BearerTokenGenerator(
            lambda *a, **k: generate_token(42)))
        server.register_grant(CodeGrant, [OpenID(require_nonce=False),
                                          CodeChallenge(required=True)])
        return server

    # -- HTTP --------------------------------------------------------------------------------
    async def _request(self, request: Request) -> _Request:
        form: dict[str, str] = {}
        if request.method == "POST":
            body = (await request.body()).decode()
            form = dict(parse_qsl(body, keep_blank_values=True))
        self.requests.append(f"{request.method} {request.url.path}")
        return _Request(request.method, str(request.url), request.headers,
                        dict(request.query_params), form)

    async def discovery(self, request: Request) -> Response:
        i = self.issuer
        return JSONResponse({
            "issuer": i, "authorization_endpoint": f"{i}/authorize",
            "token_endpoint": f"{i}/token", "jwks_uri": f"{i}/jwks",
            "userinfo_endpoint": f"{i}/userinfo", "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "code_challenge_methods_supported": ["S256"]})

    async def tenant_discovery(self, request: Request) -> Response:
        """Microsoft-style discovery under ``/<tenant>/v2.0``: multi-tenant names
        (organizations, common) answer the ``{tenantid}`` issuer template."""
        tenant = request.path_params["tenant"]
        doc = json.loads(bytes((await self.discovery(request)).body))
        multi = tenant in ("organizations", "common", "consumers")
        doc["issuer"] = f"{self.issuer}/{'{tenantid}' if multi else tenant}/v2.0"
        return JSONResponse(doc)

    async def authorize(self, request: Request) -> Response:
        req = await self._request(request)
        if self._deny:
            redirect = req.payload.data.get("redirect_uri", "")
            state = req.payload.data.get("state", "")
            return RedirectResponse(f"{redirect}?error={self._deny}&state={state}", 302)
        response: Response = self.server.create_authorization_response(
            req, grant_user=self.current)
        return response

    async def token(self, request: Request) -> Response:
        response: Response = self.server.create_token_response(await self._request(request))
        return response

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    def _bearer(self, request: Request) -> IdpUser | None:
        self.requests.append(f"{request.method} {request.url.path}")
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        return self.tokens.get(token)

    async def userinfo(self, request: Request) -> Response:
        user = self._bearer(request)
        if user is None:
            return JSONResponse({"error": "invalid_token"}, 401)
        return JSONResponse({"sub": user.sub, "email": user.email, "name": user.name,
                             "email_verified": user.email_verified})

    async def github_user(self, request: Request) -> Response:
        user = self._bearer(request)
        if user is None:
            return JSONResponse({"message": "Requires authentication"}, 401)
        return JSONResponse({"id": user.github_id, "login": user.sub, "name": user.name,
                             "email": None})

    async def github_emails(self, request: Request) -> Response:
        user = self._bearer(request)
        if user is None:
            return JSONResponse({"message": "Requires authentication"}, 401)
        return JSONResponse([
            {"email": f"{user.sub}@users.noreply.github.com", "primary": False,
             "verified": True, "visibility": None},
            {"email": user.email, "primary": True, "verified": user.email_verified,
             "visibility": "private"}])

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/{tenant}/v2.0/.well-known/openid-configuration", self.tenant_discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks),
            Route("/userinfo", self.userinfo),
            Route("/github/login/oauth/authorize", self.authorize),
            Route("/github/login/oauth/access_token", self.token, methods=["POST"]),
            Route("/github/api/v3/user", self.github_user),
            Route("/github/api/v3/user/emails", self.github_emails),
        ])


@contextmanager
def oidc_provider(users: list[IdpUser | dict[str, Any]] | None = None, *,
                  client_id: str = "aura-tests", client_secret: str | None = None,
                  redirect_uris: list[str] | None = None) -> Iterator[OidcProviderForTests]:
    """Runs a provider until the block ends. ``redirect_uris`` None accepts any loopback
    (or ``testserver``) redirect URI."""
    people = [u if isinstance(u, IdpUser) else IdpUser(**u) for u in users or []]
    idp = OidcProviderForTests(people, client_id, client_secret or generate_token(32),
                               redirect_uris)
    with serve_asgi(idp.app()) as url:
        idp.issuer = url
        yield idp
