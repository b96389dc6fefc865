"""Observability for the HTTP layer: request logging, correlation ids, traces,
Prometheus metrics and the retention task (the service API of
:mod:`engine.observability`).

Metrics and retention are imported on first use; logging is needed at start.
"""

from __future__ import annotations

from typing import Any

from engine.observability import correlation, tracing
from engine.observability.logging import configure_logging, ensure_logging, request_context

__all__ = [
    "apply_retention",
    "configure_logging",
    "correlation",
    "count_http_request",
    "count_webhook_request",
    "ensure_logging",
    "interval_text",
    "render_metrics",
    "request_context",
    "retention_status",
    "tracing",
]


def render_metrics() -> tuple[bytes, str]:
    """The Prometheus text of this machine's AURA processes (with the queue depths) and
    its content type."""
    from engine.observability import metrics
    from engine.observability.collectors import QueueCollector

    return metrics.render([QueueCollector()]), metrics.CONTENT_TYPE


def count_http_request(method: str, route: str, status: int, seconds: float) -> None:
    """Counts one HTTP request by method, route template and status, with its duration."""
    from engine.observability import metrics

    metrics.http_request(method, route, status, seconds)


def count_webhook_request(kind: str, status: int) -> None:
    """Counts one webhook call by kind (``webhook``, ``webhook-test``, ...) and status."""
    from engine.observability import metrics

    metrics.webhook_request(kind, status)


def retention_status() -> dict[str, Any]:
    """What retention enforces and its last run (:mod:`engine.observability.retention`)."""
    from engine.observability import retention

    status: dict[str, Any] = retention.retention_status()
    return status


def apply_retention(**options: Any) -> Any:
    """Runs a retention pass now (:func:`engine.observability.retention.apply_retention`)."""
    from engine.observability import retention

    return retention.apply_retention(**options)


def interval_text(seconds: float) -> str:
    """A retention interval as people read it (``"every 6 hours"``)."""
    from engine.observability import retention

    return str(retention.interval_text(seconds))
