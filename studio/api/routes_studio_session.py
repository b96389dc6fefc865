"""``/api/v1/auth/studio-*``: the full-page stops of the browser studio that set or clear
its httpOnly session cookies (a websocket event cannot).

* ``GET /auth/studio-session?ticket=&next=``: after the studio signed someone in, turns
  the login ticket into the ``aura_session``/``aura_refresh`` cookies and goes to
  ``next``;
* ``GET /auth/studio-refresh?ticket=&next=``: when the access cookie has expired,
  rotates the tokens with the ``aura_refresh`` cookie and goes back to ``next``, or to
  ``/login?next=`` when the session is over;
* ``GET /auth/studio-logout?ticket=``: ends the session, clears the cookies and goes to
  ``/login``;
* ``GET /auth/studio-challenge?ticket=&next=``: after a single sign-on that needs a 2FA
  code, hands the ``aura_2fa_challenge`` cookie (httpOnly, only sent to
  ``/api/v1/auth``) to the login page's state and goes back to it.

Tickets come from :mod:`studio.api.tickets` (single use, 30 s). ``next`` must be a path
on the site (``/workflows``), never a URL: the browser is sent to the studio origin the
ticket recorded (on the same host), so none of these routes is an open redirect.
"""

from __future__ import annotations

from urllib.parse import urlencode

from pydantic import Field
from starlette.responses import RedirectResponse, Response

from engine.errors import AuraError, AuthenticationError, ValidationError
from studio.api import tickets
from studio.api.routes_auth import (
    CHALLENGE_COOKIE,
    REFRESH_COOKIE,
    clear_session_cookies,
    set_session_cookies,
)
from studio.api.routing import Call, Router
from studio.api.schemas import In

__all__ = ["router"]

router = Router("Auth")
_BAD_TICKET = ("This sign-in step is invalid, used or expired (it works once, for "
               f"{tickets.TICKET_TTL_S} s). Open the studio and sign in again.")


class TicketQuery(In):
    ticket: str = Field("", max_length=200, description="From the studio (single use).")
    next: str = Field("", max_length=2000, description="Path to go to afterwards, e.g. "
                      "/workflows (paths on this site only).")


def _next(call: Call, default: str = "/workflows") -> str:
    value = tickets.safe_next(call.query.next, default)
    if value is None:
        raise ValidationError("'next' must be a path on this site, such as /workflows; "
                              "links to other sites are refused.",
                              details={"next": call.query.next})
    return value


def _origin(call: Call, data: dict[str, object] | None) -> str:
    origin = str((data or {}).get("origin") or "")
    return tickets.origin_allowed(origin, call.request.headers.get("host", ""))


def _go(url: str) -> RedirectResponse:
    resp = RedirectResponse(url, status_code=302)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


@router.get("/auth/studio-session", action=None, summary="Studio: finish signing in",
            query=TicketQuery, status=302, errors=(401, 422))
def studio_session(call: Call) -> Response:
    """Redeems a login ticket: sets the session cookies and redirects to ``next``."""
    nxt = _next(call)
    data = tickets.take(call.query.ticket, "login")
    if data is None or not isinstance(data.get("tokens"), dict):
        raise AuthenticationError(_BAD_TICKET)
    resp = _go(_origin(call, data) + nxt)
    return set_session_cookies(resp, data["tokens"], call.request)  # type: ignore[arg-type]


@router.get("/auth/studio-refresh", action=None, summary="Studio: renew the session",
            query=TicketQuery, status=302, errors=(422,))
def studio_refresh(call: Call) -> Response:
    """Rotates the tokens with the ``aura_refresh`` cookie and goes back to ``next``;
    when that is impossible, clears the cookies and goes to the login page."""
    nxt = _next(call)
    origin = _origin(call, tickets.take(call.query.ticket, "refresh"))
    token = call.request.cookies.get(REFRESH_COOKIE)
    error = ""
    if token:
        try:
            pair = call.auth.refresh(token)
        except AuraError as exc:
            error = exc.message
        else:
            return set_session_cookies(_go(origin + nxt), pair.to_dict(), call.request)
    query = {"next": nxt, **({"error": error} if error else {})}
    return clear_session_cookies(_go(f"{origin}/login?{urlencode(query)}"))


@router.get("/auth/studio-logout", action=None, summary="Studio: sign out",
            query=TicketQuery, status=302, errors=(401,))
def studio_logout(call: Call) -> Response:
    """Ends the session of the ``aura_refresh`` cookie, clears both cookies and goes to
    the login page."""
    data = tickets.take(call.query.ticket, "logout")
    if data is None:
        raise AuthenticationError(_BAD_TICKET)
    token = call.request.cookies.get(REFRESH_COOKIE)
    if token:
        call.auth.logout(token)
    return clear_session_cookies(_go(_origin(call, data) + "/login"))


@router.get("/auth/studio-challenge", action=None, summary="Studio: 2FA after single sign-on",
            query=TicketQuery, status=302, errors=(401, 422))
def studio_challenge(call: Call) -> Response:
    """Gives the 2FA challenge of a single sign-on to the studio's login page (through
    the ticket it made) and goes back to ``next`` (the login page)."""
    nxt = _next(call, "/login")
    data = tickets.take(call.query.ticket, "challenge")
    if data is None:
        raise AuthenticationError(_BAD_TICKET)
    challenge = call.request.cookies.get(CHALLENGE_COOKIE, "")
    tickets.fill(call.query.ticket, "challenge-filled", challenge=challenge)
    resp = _go(_origin(call, data) + nxt)
    resp.delete_cookie(CHALLENGE_COOKIE, path="/api/v1/auth")
    return resp
