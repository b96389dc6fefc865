"""``GET /metrics`` (Prometheus text format) and the middleware that counts every HTTP
request and webhook call.

``/metrics`` adds up what every AURA process of this machine counted (API, workers,
schedulers; see :mod:`engine.observability.metrics`) and reads the queues and workers
from Redis when scraped. Who may read it: callers from ``AURA_METRICS_ALLOW``
(addresses or CIDR ranges, loopback by default), or anyone sending
``Authorization: Bearer <AURA_METRICS_TOKEN>``. Everyone else gets a 401 or 403 saying
what to send.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.errors import AuthenticationError, NotFoundError, PermissionDenied

__all__ = ["MetricsMiddleware", "metrics_route"]

WEBHOOK_KINDS = ("webhook-waiting", "webhook-test", "webhook")


def _allowed(ip: str | None, allow: list[str]) -> bool:
    if not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in allow:
        try:
            if addr in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:  # a host name: not an address, never matches
            continue
    return False


def _check_access(request: Request) -> None:
    from engine.config import settings
    from studio.api.security import client_ip

    s = settings().metrics
    if not s.enabled:
        raise NotFoundError("Metrics are switched off on this server (AURA_METRICS_ENABLED=false).")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if s.token and scheme.lower() == "bearer" and token:
        if hmac.compare_digest(token.strip().encode(), s.token.encode()):
            return
        raise AuthenticationError(
            "The metrics token is wrong; send 'Authorization: Bearer <AURA_METRICS_TOKEN>'."
        )
    if _allowed(client_ip(request), s.allow):
        return
    if s.token:
        raise AuthenticationError(
            "Send 'Authorization: Bearer <AURA_METRICS_TOKEN>' to read "
            "the metrics from this address."
        )
    raise PermissionDenied(
        "Metrics are readable only from the addresses in "
        "AURA_METRICS_ALLOW (loopback by default); add the scraper's "
        "address there, or set AURA_METRICS_TOKEN and send it as a "
        "bearer token.",
        details={"client": client_ip(request)},
    )


async def metrics(request: Request) -> Response:
    """The Prometheus text of this machine's AURA processes."""
    from engine.services.observability import render_metrics

    _check_access(request)
    body, content_type = await run_in_threadpool(render_metrics)
    return Response(body, media_type=content_type)


def metrics_route() -> Route:
    return Route("/metrics", metrics, methods=["GET"])


class MetricsMiddleware:
    """Counts each HTTP request by method, route template and status, with its duration;
    webhook calls also by kind. The outermost layer, so error answers count too."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes
        # the template of each top-level route, by identity: the router leaves the route
        # it matched in scope["route"], so most requests need no matching of their own
        self._templates = {id(r): str(getattr(r, "path", "other")) for r in routes}
        from engine.config import settings

        self.enabled = settings().metrics.enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            self._count(scope, status, time.perf_counter() - started)

    def _count(self, scope: Scope, status: int, seconds: float) -> None:
        from engine.services import observability as metrics

        path = str(scope.get("path", ""))
        metrics.count_http_request(
            str(scope.get("method", "")), self._template(scope), status, seconds
        )
        for kind in WEBHOOK_KINDS:
            if path.startswith(f"/{kind}/"):
                metrics.count_webhook_request(kind, status)
                break

    def _template(self, scope: Scope) -> str:
        # a route of a mounted app (its router overwrote scope["route"]), or no route
        # (a request refused before routing, a 404): match here, as the router would
        template = self._templates.get(id(scope.get("route")))
        return template if template is not None else route_template(self.routes, scope)


def route_template(routes: list[BaseRoute], scope: Scope) -> str:
    """The matched route's path template; never the raw path (unbounded labels)."""
    probe: dict[str, Any] = {
        "type": "http",
        "path": scope.get("path", ""),
        "method": scope.get("method", "GET"),
        "root_path": "",
    }
    partial = None
    for route in routes:
        match, _ = route.matches(probe)
        if match == Match.FULL:
            return str(getattr(route, "path", "other"))
        if match == Match.PARTIAL and partial is None:
            partial = str(getattr(route, "path", "other"))
    return partial or "other"
