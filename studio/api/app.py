"""The AURA HTTP server: a Starlette app with the REST API (``/api/v1``), webhooks
(``/webhook``, ``/webhook-test``), health checks (``/healthz``, ``/readyz``),
Prometheus metrics (``/metrics``) and the docs site (``/docs``).

It has no Reflex imports so that it runs standalone (``python -m studio.api``) and can be
mounted inside the Reflex studio backend alike.

Layers, outermost first: :class:`~studio.api.routes_metrics.MetricsMiddleware` (counts
requests) → :class:`~studio.api.errors.ErrorMiddleware` (request id, body
limit, last-resort 500) → :class:`~studio.api.tracing.TracingMiddleware` (a span per
request, only with ``AURA_OTEL_ENDPOINT``) → :class:`~studio.api.security.AuthMiddleware`
(who is calling) → Starlette's exception handlers (AuraError → 4xx JSON) → the routes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from engine.config import settings
from engine.services.observability import ensure_logging
from studio.api import (
    routes_admin,
    routes_agents,
    routes_analytics,
    routes_chat,
    routes_credentials,
    routes_docs,
    routes_events,
    routes_executions,
    routes_health,
    routes_import,
    routes_knowledge,
    routes_knowledge_ingest,
    routes_mcp,
    routes_metrics,
    routes_nodes,
    routes_oidc,
    routes_packages,
    routes_queues,
    routes_quotas,
    routes_retention,
    routes_security,
    routes_services,
    routes_streams,
    routes_studio_session,
    routes_variables,
    routes_webhooks,
    routes_workflows,
)
from studio.api.errors import ErrorMiddleware, exception_handlers
from studio.api.mcp_server import MCP_PATH, McpEndpoint
from studio.api.openapi import docs_html, openapi_document
from studio.api.routes_metrics import MetricsMiddleware
from studio.api.routing import API_PREFIX, Operation, build_routes
from studio.api.runner import make_runner
from studio.api.security import AuthMiddleware, auth_backend
from studio.api.serialize import json_response

__all__ = ["create_app", "operations"]

VERSION = "1.0.0"


def operations(*, auth: bool = True) -> list[Operation]:
    """Every API operation, in document order (``auth=False``: without sign-in, users,
    projects, API keys, audit and security settings)."""
    routers = [
        routes_health.router,
        routes_import.router,
        routes_workflows.router,
        routes_agents.router,
        routes_chat.router,
        routes_mcp.router,
        routes_webhooks.router,
        routes_executions.router,
        routes_variables.router,
        routes_knowledge.router,
        routes_knowledge_ingest.router,
        routes_nodes.router,
        routes_credentials.router,
        routes_packages.router,
        *(routes_admin.routers() if auth else []),
        *(routes_security.routers() if auth else []),
        *(routes_oidc.routers() if auth else []),
        *([routes_studio_session.router] if auth else []),
        *routes_events.routers(),
        *routes_services.routers(),
        *routes_queues.routers(),
        *routes_quotas.routers(),
        *routes_retention.routers(),
        *routes_streams.routers(),
        *routes_analytics.routers(),
    ]
    return [op for r in routers for op in r.operations]


def create_app(
    *, runtime: str | None = None, max_body_bytes: int | None = None, auth: bool | None = None
) -> Starlette:
    """The HTTP app.

    Args:
        runtime: where executions run: "inline" (this process) or "rq" (queue workers);
            default ``AURA_RUNTIME``, else rq when Redis is configured.
        max_body_bytes: largest API request body (default ``AURA_API_MAX_BODY_BYTES``,
            16 MiB unless set). Webhooks use each node's own limit instead.
        auth: require sign-in (default: whenever ``engine.services.auth`` is installed).
            ``False`` trusts every caller; only for embedding behind another gate.
    """
    ensure_logging("api")
    runner = make_runner(runtime)
    backend = auth_backend() if auth is not False else None
    if auth and backend is None:
        raise RuntimeError("auth=True needs engine.services.auth, which is not installed")
    ops = operations(auth=backend is not None)
    limit = max_body_bytes or settings().api.max_body_bytes
    cache: dict[str, Any] = {}

    def document() -> dict[str, Any]:
        if "doc" not in cache:
            cache["doc"] = openapi_document(ops, version=VERSION, has_auth=backend is not None)
        doc: dict[str, Any] = cache["doc"]
        return doc

    async def openapi_json(request: Request) -> Response:
        return json_response(document())

    async def docs(request: Request) -> Response:
        if "html" not in cache:
            cache["html"] = docs_html(document())
        return HTMLResponse(cache["html"])

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from engine.services.startup import check_encryption_key

        # refuse to serve with an encryption key that does not decrypt the data
        await run_in_threadpool(check_encryption_key)
        registration = await run_in_threadpool(routes_services.register_server, runner.name)
        async with mcp.lifespan():
            yield
        await run_in_threadpool(registration.stop)
        runner.close()

    mcp = McpEndpoint()  # AURA as an MCP server (API keys only)
    routes: list[BaseRoute] = [
        # webhooks first: routing tries the routes in order, and they are the hot path
        *routes_webhooks.webhook_routes(),
        Route(MCP_PATH, mcp),
        Route(f"{API_PREFIX}/openapi.json", openapi_json, methods=["GET"]),
        Route(f"{API_PREFIX}/docs", docs, methods=["GET"]),
        *build_routes(ops),
        routes_metrics.metrics_route(),
        *routes_docs.docs_routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(MetricsMiddleware, routes=routes),
            Middleware(ErrorMiddleware, max_body_bytes=limit),
            *_tracing(routes),
            Middleware(AuthMiddleware, backend=backend),
        ],
        exception_handlers=exception_handlers,
        lifespan=lifespan,
    )
    app.state.runner = runner
    app.state.max_body_bytes = limit
    app.state.auth = backend
    app.state.operations = ops
    return app


def _tracing(routes: list[BaseRoute]) -> list[Middleware]:
    """A span per request when tracing is on (``AURA_OTEL_ENDPOINT``); else nothing."""
    from engine.services.observability import tracing

    if not tracing.enabled():
        return []
    from studio.api.tracing import TracingMiddleware

    return [Middleware(TracingMiddleware, routes=routes)]
