"""``/api/v1/auth``: first-run set-up, login (with 2FA), refresh, logout, and what a
signed-in user does for themselves (profile, password, 2FA).

Login answers with the tokens in JSON (API clients send ``Authorization: Bearer``) and
also sets two httpOnly cookies for the studio: ``aura_session`` (the access token,
``SameSite=Lax``) and ``aura_refresh`` (``SameSite=Strict``, only sent to ``/api/v1/auth``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from engine.errors import AuthenticationError
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out
from studio.api.security import SESSION_COOKIE, client_ip
from studio.api.serialize import json_response

__all__ = [
    "CHALLENGE_COOKIE",
    "REFRESH_COOKIE",
    "clear_session_cookies",
    "login_body",
    "router",
    "set_session_cookies",
]

router = Router("Auth")
REFRESH_COOKIE = "aura_refresh"
CHALLENGE_COOKIE = "aura_2fa_challenge"
_REFRESH_PATH = "/api/v1/auth"


class SetupIn(In):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("", max_length=200)


class LoginIn(In):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    totp_code: str | None = Field(None, max_length=64, description="2FA code, if on.")


class TwoFactorIn(In):
    challenge_token: str | None = Field(
        None,
        max_length=4096,
        description="Default: the aura_2fa_challenge cookie (single sign-on).",
    )
    code: str = Field(max_length=64, description="TOTP or recovery code.")


class RefreshIn(In):
    refresh_token: str | None = Field(
        None, max_length=4096, description="Default: the aura_refresh cookie."
    )


class PasswordIn(In):
    old_password: str = Field(max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class CodeIn(In):
    code: str = Field(max_length=64)


class LoginOut(Out):
    access_token: str | None = None
    refresh_token: str | None = None
    token_type: str | None = None
    expires_in: int | None = None
    needs_2fa: bool = False
    challenge_token: str | None = None
    must_enrol_2fa: bool = False


class StatusOut(Out):
    has_owner: bool = Field(description="False until the first owner is set up.")


class MeOut(Out):
    id: str
    email: str
    name: str
    role: str
    totp_enabled: bool
    allowed_actions: list[str]


def _ip(request: Request) -> str | None:
    return client_ip(request)


def set_session_cookies(resp: Response, body: dict[str, Any], request: Request) -> Response:
    """Sets the studio's httpOnly cookies from a token pair's ``to_dict()``."""
    secure = request.url.scheme == "https"
    if body.get("access_token"):
        resp.set_cookie(
            SESSION_COOKIE,
            body["access_token"],
            max_age=body.get("expires_in"),
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )
    if body.get("refresh_token"):
        resp.set_cookie(
            REFRESH_COOKIE,
            body["refresh_token"],
            max_age=body.get("refresh_expires_in") or None,
            httponly=True,
            samesite="strict",
            secure=secure,
            path=_REFRESH_PATH,
        )
    return resp


def clear_session_cookies(resp: Response) -> Response:
    """Removes both session cookies."""
    resp.delete_cookie(SESSION_COOKIE, path="/")
    resp.delete_cookie(REFRESH_COOKIE, path=_REFRESH_PATH)
    return resp


def _with_cookies(body: dict[str, Any], request: Request, status: int = 200) -> Response:
    return set_session_cookies(json_response(body, status), body, request)


def login_body(result: Any) -> dict[str, Any]:
    """The JSON body of a login result (tokens, or the 2FA challenge)."""
    return _login_body(result)


def _login_body(result: Any) -> dict[str, Any]:
    tokens = result.tokens.to_dict() if result.tokens else {}
    return {
        **tokens,
        "needs_2fa": result.needs_2fa,
        "challenge_token": result.challenge_token,
        "must_enrol_2fa": result.must_enrol_2fa,
    }


@router.get("/auth/status", action=None, summary="Is the instance set up")
def auth_status(call: Call) -> StatusOut:
    """Whether an owner exists (the studio shows set-up until one does)."""
    return StatusOut(has_owner=call.auth.has_owner())


@router.post(
    "/auth/setup",
    action=None,
    summary="Create the first owner",
    body=SetupIn,
    response=LoginOut,
    status=201,
    errors=(409,),
)
def setup_owner(call: Call) -> Response:
    """First run only: creates the owner account and signs it in; 409 afterwards."""
    b: SetupIn = call.body
    call.auth.create_owner(b.email, b.password, b.name)
    result = call.auth.login(b.email, b.password, ip=_ip(call.request))
    return _with_cookies(_login_body(result), call.request, 201)


@router.post(
    "/auth/login",
    action=None,
    summary="Sign in",
    body=LoginIn,
    response=LoginOut,
    errors=(401, 403, 429),
)
def login(call: Call) -> Response:
    """E-mail and password (and a 2FA code). With 2FA on and no code, answers
    ``needs_2fa`` and a ``challenge_token`` for POST /auth/2fa."""
    b: LoginIn = call.body
    from engine.services import oidc

    oidc.check_password_login()
    result = call.auth.login(b.email, b.password, b.totp_code, ip=_ip(call.request))
    return _with_cookies(_login_body(result), call.request)


@router.post(
    "/auth/2fa",
    action=None,
    summary="Finish a 2FA sign-in",
    body=TwoFactorIn,
    response=LoginOut,
    errors=(401, 429),
)
def verify_2fa(call: Call) -> Response:
    """Completes a login that answered ``needs_2fa`` (the challenge comes in the body, or
    in the ``aura_2fa_challenge`` cookie after a single sign-on)."""
    challenge = call.body.challenge_token or call.request.cookies.get(CHALLENGE_COOKIE)
    if not challenge:
        raise AuthenticationError(
            "Send the 'challenge_token' from the sign-in answer; sign in again if you have none."
        )
    tokens = call.auth.verify_2fa(challenge, call.body.code, ip=_ip(call.request))
    resp = _with_cookies(tokens.to_dict(), call.request)
    if CHALLENGE_COOKIE in call.request.cookies:
        resp.delete_cookie(CHALLENGE_COOKIE, path=_REFRESH_PATH)
    return resp


def _refresh_token(call: Call) -> str:
    token = call.body.refresh_token or call.request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise AuthenticationError(
            "Send the refresh token (body 'refresh_token' or the "
            "aura_refresh cookie); sign in again if you have none."
        )
    return str(token)


@router.post(
    "/auth/refresh",
    action=None,
    summary="New tokens",
    body=RefreshIn,
    response=LoginOut,
    errors=(401,),
)
def refresh(call: Call) -> Response:
    """Exchanges a refresh token (used up) for a new token pair."""
    return _with_cookies(call.auth.refresh(_refresh_token(call)).to_dict(), call.request)


@router.post("/auth/logout", action=None, summary="Sign out", body=RefreshIn, status=204)
def logout(call: Call) -> Response:
    """Ends the session and clears the cookies."""
    token = call.body.refresh_token or call.request.cookies.get(REFRESH_COOKIE)
    if token:
        call.auth.logout(token)
    return clear_session_cookies(Response(status_code=204))


@router.get("/auth/jwks", action=None, summary="Public token keys")
def jwks(call: Call) -> dict[str, Any]:
    """The JWK Set that verifies access tokens."""
    return dict(call.auth.jwks())


@router.get("/auth/me", action="self", summary="Who am I", response=MeOut, errors=(401,))
def me(call: Call) -> dict[str, Any]:
    """The caller's account and every action they may do."""
    info = call.auth.me(call.principal).to_dict()
    return {
        **info,
        "api_key_id": call.principal.api_key_id,
        "allowed_actions": call.auth.allowed_actions(call.principal),
    }


@router.post(
    "/auth/password",
    action="self",
    summary="Change my password",
    body=PasswordIn,
    response=LoginOut,
    errors=(401, 403),
)
def change_password(call: Call) -> Response:
    """Changes the password; every other session ends, a new one is returned."""
    tokens = call.auth.change_password(
        call.principal, call.body.old_password, call.body.new_password
    )
    return _with_cookies(tokens.to_dict(), call.request)


@router.post("/auth/2fa/enrol", action="self", summary="Start 2FA set-up", errors=(401,))
def start_2fa(call: Call) -> dict[str, Any]:
    """A new TOTP secret: show ``qr_svg`` or ``otpauth_uri`` to the authenticator app."""
    return asdict(call.auth.start_totp_enrolment(call.principal))


@router.post(
    "/auth/2fa/confirm", action="self", summary="Turn 2FA on", body=CodeIn, errors=(401, 403)
)
def confirm_2fa(call: Call) -> dict[str, Any]:
    """Turns 2FA on with a first code; returns recovery codes (shown once)."""
    return {"recovery_codes": call.auth.confirm_totp(call.principal, call.body.code)}


@router.post(
    "/auth/2fa/disable",
    action="self",
    summary="Turn 2FA off",
    body=CodeIn,
    status=204,
    errors=(401, 403),
)
def disable_2fa(call: Call) -> None:
    """Turns 2FA off with a current code (not when the role requires it)."""
    call.auth.disable_totp(call.principal, call.body.code)


@router.post(
    "/auth/2fa/recovery-codes",
    action="self",
    summary="New recovery codes",
    body=CodeIn,
    errors=(401, 403),
)
def recovery_codes(call: Call) -> dict[str, Any]:
    """Replaces the recovery codes after a current TOTP code."""
    return {"recovery_codes": call.auth.regenerate_recovery_codes(call.principal, call.body.code)}
