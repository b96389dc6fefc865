"""The HTTP API inside the studio's backend: ``rx.App(api_transformer=with_api)``.

The studio backend then answers ``/api/v1/*`` and the webhooks on the same origin as
Reflex's websocket, so the session cookies the sign-in routes set reach the websocket
handshake (see docs/studio.md).

Reflex wraps its backend in a CORS layer that allows any origin with credentials. So
that no other page can read the API with the user's cookie, an API request that names
a foreign ``Origin`` (a script on another site or port; the studio itself never calls
the API from the page) goes through without its cookies: it is answered as anonymous.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

__all__ = ["API_PATHS", "share_api", "with_api"]

API_PATHS = (
    "/api/",
    "/webhook/",
    "/webhook-test/",
    "/webhook-waiting/",
    "/healthz",
    "/readyz",
    "/docs",
)
"""Paths the studio backend hands to the AURA HTTP app (:mod:`studio.api`), its health
probes included (a container's studio is probed like the API), and the docs site."""


def _foreign(headers: list[tuple[bytes, bytes]]) -> bool:
    found = dict(headers)
    origin = found.get(b"origin")
    if origin is None:
        return False
    return urlsplit(origin.decode("latin-1")).netloc != found.get(b"host", b"").decode("latin-1")


_SHARED: list[Any] = []


def share_api(api: Any) -> None:
    """Makes :func:`with_api` use ``api`` (a process that also serves it on its own port,
    as ``python -m studio.serve --api-port`` does) instead of creating a second one."""
    _SHARED[:] = [api]


def with_api(reflex_asgi: Any, api: Any = None) -> Any:
    """The studio backend: ``/api/``, ``/webhook...`` go to the AURA HTTP app (``api``,
    else the one given to :func:`share_api`, else a new :func:`studio.api.create_app`),
    everything else to Reflex."""
    if api is None and _SHARED:
        api = _SHARED[0]
    if api is None:
        from studio.api import create_app

        api = create_app()

    async def backend(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PATHS):
            if _foreign(scope["headers"]):
                scope = {
                    **scope,
                    "headers": [(k, v) for k, v in scope["headers"] if k != b"cookie"],
                }
            await api(scope, receive, send)
        else:
            await reflex_asgi(scope, receive, send)

    return backend
