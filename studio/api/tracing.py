"""A span for each HTTP request (:mod:`engine.observability.tracing`): named by method and
route template (``POST /webhook/{path:path}``), with its status; the executions the
request starts are its children, also on the workers. Added to the app only when
``AURA_OTEL_ENDPOINT`` is set; inside :class:`~studio.api.errors.ErrorMiddleware`, so the
span carries the request's correlation id."""

from __future__ import annotations

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.services.observability import tracing
from studio.api.routes_metrics import route_template

__all__ = ["TracingMiddleware"]


class TracingMiddleware:
    """Wraps each HTTP request in a span."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", ""))
        route = route_template(self.routes, scope)
        status = 500

        async def seen(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        handle = tracing.start(
            f"{method} {route}",
            {"http.request.method": method, "http.route": route, "url.path": scope.get("path")},
        )
        error: str | None = None
        try:
            await self.app(scope, receive, seen)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            if status >= 500 and error is None:
                error = f"HTTP {status}"
            tracing.end(handle, error=error, attributes={"http.response.status_code": status})
