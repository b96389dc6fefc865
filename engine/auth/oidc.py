"""Signing in with an OpenID Connect provider (or GitHub's OAuth2): the authorization
code flow with state, nonce and PKCE (S256), done with authlib.

:func:`start` stores a pending login (digests of the state and of a browser-binding
token, the nonce, the PKCE verifier, where to go next) for ten minutes and returns the
provider's authorization URL plus the binding token (the caller puts it in an httpOnly
cookie). :func:`finish` takes the pending login by its state (once: it is deleted),
checks the binding, exchanges the code, validates the ID token (signature against the
provider's JWKS, ``iss``, ``aud``, ``exp``, ``nonce``) or, for GitHub, reads the user
and verified e-mails APIs, finds or links the AURA user (:mod:`engine.auth.oidc_accounts`)
and signs them in like a password login (2FA challenge included).

Outbound requests to providers use a plain httpx client with timeouts (through authlib),
not the workflow HTTP client and its private-address block: providers are configured
only by owners/admins or the operator's environment, like the SMTP server. Only https
URLs are accepted (http for loopback hosts, for development and tests).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from engine.auth import oidc_accounts
from engine.auth._util import digest, digest_matches, new_token
from engine.auth.context import AuthContext
from engine.auth.oidc_config import ProviderConfig, get_login_methods, oidc_settings
from engine.auth.ratelimit import RateLimiter, limiter
from engine.auth.types import LoginResult
from engine.errors import AuraError, PermissionDenied
from engine.store.models_oidc import OidcLogin

__all__ = ["Identity", "ProviderUnreachable", "SignInRefused", "finish", "rate_limit",
           "start"]

_CACHE_S = 600.0
_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_cache_lock = threading.Lock()


class SignInRefused(AuraError):
    """A single sign-on attempt failed; ``details["reason"]`` says which check.

    ``next_url`` is where the attempt meant to go (checked when it started) once its
    pending login is known, so a browser can be sent back to that studio's login page;
    None before that."""

    code = "sign_in_refused"
    http_status = 401
    next_url: str | None = None

    def __init__(self, message: str, reason: str, status: int = 401, **details: Any) -> None:
        super().__init__(message, details={"reason": reason, **details})
        self.http_status = status
        self.reason = reason


class ProviderUnreachable(SignInRefused):
    """The provider did not answer (or answered nonsense)."""

    code = "provider_unreachable"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, "provider_unreachable", 502, **details)


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    subject: str
    email: str
    email_verified: bool
    name: str = ""


# -- provider metadata ---------------------------------------------------------------------
def _http(cfg: ProviderConfig) -> httpx.Client:
    return httpx.Client(timeout=oidc_settings().http_timeout_s, follow_redirects=False)


def _get_json(cfg: ProviderConfig, url: str, *, token: str | None = None) -> Any:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with _http(cfg) as client:
            resp = client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise ProviderUnreachable(f"{cfg.display} could not be reached ({type(exc).__name__}"
                                  f"); try again later or ask an admin to check the "
                                  f"provider's URL.", url=url) from None
    if resp.status_code != 200:
        raise ProviderUnreachable(f"{cfg.display} answered {resp.status_code} for {url}; "
                                  "ask an admin to check the provider settings.", url=url)
    try:
        return resp.json()
    except ValueError:
        raise ProviderUnreachable(f"{cfg.display} did not answer JSON at {url}.",
                                  url=url) from None


def _cached(key: str, fetch: Any, *, force: bool = False) -> dict[str, Any]:
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now and not force:
        return hit[1]
    value = fetch()
    if not isinstance(value, dict):
        raise ProviderUnreachable(f"{key} did not answer a JSON object.")
    with _cache_lock:
        _cache[key] = (now + _CACHE_S, value)
    return value


def clear_cache() -> None:
    """Forgets cached discovery documents and key sets (tests; after a provider change)."""
    with _cache_lock:
        _cache.clear()


def metadata(cfg: ProviderConfig) -> dict[str, Any]:
    """The provider's endpoints: its discovery document, or GitHub's fixed URLs."""
    if not cfg.is_oidc:
        web, api = cfg.github_urls()
        return {"authorization_endpoint": f"{web}/login/oauth/authorize",
                "token_endpoint": f"{web}/login/oauth/access_token",
                "user_endpoint": f"{api}/user", "emails_endpoint": f"{api}/user/emails"}
    issuer = cfg.issuer_url()
    url = f"{issuer}/.well-known/openid-configuration"
    doc = _cached(url, lambda: _get_json(cfg, url))
    stated = str(doc.get("issuer", "")).rstrip("/")
    template = "{tenantid}" in stated
    if not template and stated != issuer:
        raise ProviderUnreachable(f"{cfg.display}'s discovery document names issuer "
                                  f"{stated!r}, not {issuer!r}; ask an admin to fix the "
                                  "issuer URL.", issuer=issuer)
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(doc.get(key), str):
            raise ProviderUnreachable(f"{cfg.display}'s discovery document has no {key}.")
    return doc


def _jwks(cfg: ProviderConfig, meta: dict[str, Any], *, force: bool = False
          ) -> dict[str, Any]:
    url = str(meta["jwks_uri"])
    return _cached(url, lambda: _get_json(cfg, url), force=force)


# -- start ---------------------------------------------------------------------------------
def rate_limit(ctx: AuthContext) -> RateLimiter:
    """The limiter of sign-in starts and callbacks (per client address)."""
    lim = ctx._limiters.get("oidc")
    if lim is None:
        s = oidc_settings()
        lim = limiter("oidc", s.rate_limit, s.rate_window_s, redis_url=ctx.redis_url or "")
        ctx._limiters["oidc"] = lim
    return lim


def _auth_method(cfg: ProviderConfig, meta: dict[str, Any]) -> str:
    """How the client authenticates at the token endpoint: HTTP Basic when the provider
    supports it (the OpenID default), else form fields (GitHub)."""
    if not cfg.client_secret:
        return "none"
    if not cfg.is_oidc:
        return "client_secret_post"
    supported = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return "client_secret_basic" if "client_secret_basic" in supported \
        else "client_secret_post"


def _client(cfg: ProviderConfig, meta: dict[str, Any], redirect_uri: str) -> Any:
    from authlib.integrations.httpx_client import OAuth2Client

    return OAuth2Client(
        client_id=cfg.client_id, client_secret=cfg.client_secret,
        scope=" ".join(cfg.scope_list()), redirect_uri=redirect_uri,
        code_challenge_method="S256", token_endpoint_auth_method=_auth_method(cfg, meta),
        timeout=oidc_settings().http_timeout_s, follow_redirects=False)


def check_allowed(ctx: AuthContext, cfg: ProviderConfig) -> None:
    """Refuses a disabled provider or one the login methods do not allow (403)."""
    if not cfg.enabled or cfg.method not in get_login_methods(ctx):
        raise SignInRefused(f"Signing in with {cfg.display} is turned off on this "
                            "instance; use another sign-in method or ask an admin.",
                            "method_not_allowed", 403, provider=cfg.name)


def start(ctx: AuthContext, cfg: ProviderConfig, *, redirect_uri: str, next_url: str
          ) -> tuple[str, str]:
    """Begins a sign-in: returns (the provider's authorization URL, the browser-binding
    token to keep in an httpOnly cookie)."""
    check_allowed(ctx, cfg)
    meta = metadata(cfg)
    state, nonce, browser = new_token(), new_token(), new_token()
    verifier = new_token(nbytes=48)
    extra = {"nonce": nonce} if cfg.is_oidc else {}
    with _client(cfg, meta, redirect_uri) as client:
        url, _ = client.create_authorization_url(str(meta["authorization_endpoint"]),
                                                 state=state, code_verifier=verifier,
                                                 **extra)
    now = ctx.now()
    ctx.store.oidc.add_login(OidcLogin(
        state_hash=digest(state), browser_hash=digest(browser), provider=cfg.name,
        nonce=nonce, code_verifier=verifier, next_url=next_url, redirect_uri=redirect_uri,
        created_at=now, expires_at=now + timedelta(seconds=oidc_settings().login_ttl_s)))
    return str(url), browser


# -- finish --------------------------------------------------------------------------------
_AGAIN = "Start the sign-in again from the login page."


def take_pending(ctx: AuthContext, name: str, state: str | None, browser: str | None
                 ) -> OidcLogin:
    """The pending login of ``state`` (used up now), checked against the browser."""
    row = ctx.store.oidc.take_login(digest(state)) if state else None
    if row is None or row.provider != name:
        raise SignInRefused("This sign-in is unknown, was already used, or belongs to "
                            f"another provider. {_AGAIN}", "state")
    if row.expires_at <= ctx.now():
        raise _back_to(row, SignInRefused(f"This sign-in took too long and expired. "
                                          f"{_AGAIN}", "expired"))
    if not browser or not digest_matches(browser, row.browser_hash):
        raise _back_to(row, SignInRefused("This sign-in was started in another browser (or "
                                          f"its cookie was lost), so it is refused. {_AGAIN}",
                                          "browser"))
    return row


def _back_to(pending: OidcLogin, exc: SignInRefused) -> SignInRefused:
    exc.next_url = pending.next_url
    return exc


def _fetch_token(cfg: ProviderConfig, meta: dict[str, Any], pending: OidcLogin,
                 code: str) -> dict[str, Any]:
    from authlib.integrations.base_client import OAuthError

    try:
        with _client(cfg, meta, pending.redirect_uri) as client:
            token = client.fetch_token(str(meta["token_endpoint"]), code=code,
                                       code_verifier=pending.code_verifier,
                                       grant_type="authorization_code")
    except OAuthError as exc:
        raise SignInRefused(f"{cfg.display} refused the sign-in code ({exc.error}). "
                            f"{_AGAIN}", "token", error=exc.error) from None
    except httpx.HTTPError as exc:
        raise ProviderUnreachable(f"{cfg.display} could not be reached to finish the "
                                  f"sign-in ({type(exc).__name__}); try again later.") from None
    except ValueError:
        raise ProviderUnreachable(f"{cfg.display} answered the code exchange with "
                                  "something that is not a token.") from None
    if not isinstance(token, dict) or not token.get("access_token"):
        raise SignInRefused(f"{cfg.display} returned no access token. {_AGAIN}", "token")
    return dict(token)


_CLAIM_MESSAGES = {
    "iss": "was issued by another provider (wrong issuer)",
    "aud": "was issued for another application (wrong audience); ask an admin to check "
           "the client ID",
    "azp": "was issued for another application (wrong authorized party)",
    "exp": "has expired (check the clocks of AURA and the provider)",
    "iat": "has an invalid issue time",
    "nbf": "is not valid yet (check the clocks of AURA and the provider)",
    "nonce": "does not belong to this sign-in (nonce mismatch), which can mean a replay",
    "sub": "has no subject",
    "at_hash": "does not match its access token",
}


def _refuse_claim(cfg: ProviderConfig, claim: str) -> SignInRefused:
    what = _CLAIM_MESSAGES.get(claim, f"has an invalid '{claim}' claim")
    return SignInRefused(f"The ID token from {cfg.display} {what}, so the sign-in is "
                         "refused.", "id_token", claim=claim)


def _keys(cfg: ProviderConfig, meta: dict[str, Any], force: bool) -> Any:
    from joserfc.jwk import KeySet

    return KeySet.import_key_set(_jwks(cfg, meta, force=force))  # type: ignore[arg-type]


def validate_id_token(cfg: ProviderConfig, meta: dict[str, Any], token: dict[str, Any],
                      nonce: str, now: datetime) -> dict[str, Any]:
    """The claims of ``token["id_token"]`` once signature, iss, aud, exp, nonce (and
    at_hash, azp) are checked; SignInRefused says which check failed."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt
    from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
    raw = token.get("id_token")
    if not isinstance(raw, str) or not raw:
        raise SignInRefused(f"{cfg.display} returned no ID token; is the 'openid' scope "
                            "allowed for this app?", "id_token", claim="id_token")
    offered = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
    algs = [a for a in offered if isinstance(a, str) and a != "none"
            and not a.startswith("HS")] or ["RS256"]
    try:
        try:
            decoded = jwt.decode(raw, _keys(cfg, meta, False), algorithms=algs)
        except (InvalidKeyIdError, ValueError):
            decoded = jwt.decode(raw, _keys(cfg, meta, True), algorithms=algs)
    except JoseError as exc:
        raise SignInRefused(f"The ID token from {cfg.display} is not signed by the "
                            f"provider's keys ({exc.error}), so the sign-in is refused.",
                            "id_token", claim="signature") from None
    except (ValueError, TypeError):
        raise SignInRefused(f"The ID token from {cfg.display} cannot be read.", "id_token",
                            claim="format") from None
    claims = dict(decoded.claims)
    issuer = str(meta.get("issuer", "")).rstrip("/")
    if "{tenantid}" in issuer:  # Microsoft's multi-tenant endpoints
        issuer = issuer.replace("{tenantid}", str(claims.get("tid", "")))
    options: dict[str, Any] = {"iss": {"essential": True, "values": [issuer]},
                               "aud": {"essential": True, "values": [cfg.client_id]},
                               "exp": {"essential": True}, "sub": {"essential": True}}
    params = {"nonce": nonce, "client_id": cfg.client_id,
              "access_token": token.get("access_token")}
    try:
        CodeIDToken(claims, decoded.header, options, params).validate(
            now=int(now.timestamp()), leeway=60)
    except ExpiredTokenError:
        raise _refuse_claim(cfg, "exp") from None
    except ClaimError as exc:
        raise _refuse_claim(cfg, str(getattr(exc, "claim", "") or "")) from None
    except JoseError as exc:
        raise SignInRefused(f"The ID token from {cfg.display} is invalid ({exc.error}).",
                            "id_token", claim="other") from None
    if str(claims.get("iss", "")).rstrip("/") != issuer:
        raise _refuse_claim(cfg, "iss")
    return claims


def _bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _oidc_identity(cfg: ProviderConfig, meta: dict[str, Any], token: dict[str, Any],
                   pending: OidcLogin, now: datetime) -> Identity:
    claims = validate_id_token(cfg, meta, token, pending.nonce, now)
    if not claims.get("email") and isinstance(meta.get("userinfo_endpoint"), str):
        info = _get_json(cfg, str(meta["userinfo_endpoint"]),
                         token=str(token["access_token"]))
        if isinstance(info, dict) and info.get("sub") == claims["sub"]:
            claims = {**info, **claims, "email": info.get("email"),
                      "email_verified": info.get("email_verified")}
    verified = _bool(claims.get("email_verified"))
    if cfg.preset == "microsoft":  # Entra e-mails are not verified unless xms_edov says so
        verified = verified or _bool(claims.get("xms_edov"))
    name = claims.get("name") or claims.get("preferred_username") or ""
    return Identity(subject=str(claims["sub"]), email=str(claims.get("email") or ""),
                    email_verified=verified, name=str(name)[:200])


def _github_identity(cfg: ProviderConfig, meta: dict[str, Any], token: dict[str, Any]
                     ) -> Identity:
    access = str(token["access_token"])
    user = _get_json(cfg, str(meta["user_endpoint"]), token=access)
    emails = _get_json(cfg, str(meta["emails_endpoint"]), token=access)
    if not isinstance(user, dict) or user.get("id") is None:
        raise ProviderUnreachable(f"{cfg.display} did not say who signed in.")
    rows = [e for e in emails if isinstance(e, dict)] if isinstance(emails, list) else []
    verified = [e for e in rows if e.get("verified") is True and e.get("email")]
    chosen = next((e for e in verified if e.get("primary")), verified[0] if verified else None)
    email = str((chosen or {}).get("email") or user.get("email") or "")
    return Identity(subject=str(user["id"]), email=email, email_verified=chosen is not None,
                    name=str(user.get("name") or user.get("login") or "")[:200])


def finish(ctx: AuthContext, cfg: ProviderConfig, pending: OidcLogin, *, code: str | None,
           error: str | None = None, error_description: str | None = None,
           ip: str | None = None) -> LoginResult:
    """Completes the sign-in of ``pending`` (from :func:`take_pending`)."""
    try:
        if error:
            said = f": {error_description}" if error_description else ""
            raise SignInRefused(f"{cfg.display} did not sign you in ({error}{said}). "
                                f"{_AGAIN}", "provider_error", error=error)
        if not code:
            raise SignInRefused(f"{cfg.display} sent no sign-in code. {_AGAIN}", "code")
        check_allowed(ctx, cfg)
        meta = metadata(cfg)
        token = _fetch_token(cfg, meta, pending, code)
        if cfg.is_oidc:
            identity = _oidc_identity(cfg, meta, token, pending, ctx.now())
        else:
            identity = _github_identity(cfg, meta, token)
        return oidc_accounts.sign_in(ctx, cfg, identity, ip=ip)
    except (SignInRefused, PermissionDenied) as exc:
        if isinstance(exc, SignInRefused):
            _back_to(pending, exc)
        reason = getattr(exc, "reason", "refused")
        ctx.audit(None, "user.login_failed", "oidc_provider", cfg.name,
                  {"method": cfg.method, "reason": reason}, ip)
        raise


def same_origin(url: str, base: str) -> bool:
    """True when ``url`` has the scheme, host and port of ``base``."""
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc) and bool(a.netloc)
