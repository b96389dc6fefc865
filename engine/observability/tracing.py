"""Traces: OpenTelemetry spans sent over OTLP/HTTP when ``AURA_OTEL_ENDPOINT`` is set.

Off by default, and then free: nothing here imports OpenTelemetry until :func:`enabled`
says a collector is configured; every function below returns at once otherwise.

What is traced, each span carrying ``aura.correlation_id``
(:mod:`engine.observability.correlation`)::

    HTTP POST /webhook/{path}            (the API, studio.api.tracing)
      └─ execution <workflow>            (inline, or on a worker: the job's meta carries
           ├─ node <name>                 the W3C ``traceparent`` across the queue)
           └─ node <name>
                └─ execution <sub-workflow> ...

Spans go through a batch processor to ``<endpoint>/v1/traces``; a forked RQ work horse
flushes them before it exits (:func:`flush`). ``service.name`` is
``AURA_OTEL_SERVICE_NAME`` plus the process kind (``aura-api``, ``aura-worker``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "SpanHandle",
    "enabled",
    "end",
    "extracted",
    "flush",
    "inject",
    "reset",
    "span",
    "start",
]

log = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict[str, Any] = {}
"""``provider`` and ``tracer`` once set up, ``pid`` they were made in."""
FLUSH_TIMEOUT_MS = 5000


def enabled() -> bool:
    """True when a collector is configured (``AURA_OTEL_ENDPOINT``)."""
    from engine.config import settings

    if "unavailable" in _state:
        return False
    try:
        return bool(settings().otel.endpoint)
    except Exception:  # unreadable settings: the process reports them itself
        return False


def _tracer() -> Any:
    tracer = _state.get("tracer")
    if tracer is not None:
        return tracer
    with _lock:
        if "tracer" not in _state:
            _setup()
        return _state["tracer"]


def _setup() -> None:
    try:
        import opentelemetry.exporter.otlp.proto.http.trace_exporter
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError:
        _state["unavailable"] = True
        log.error(
            "AURA_OTEL_ENDPOINT is set but the OpenTelemetry SDK is not installed; "
            "install it with \"pip install 'aura[otel]'\". Tracing stays off."
        )
        raise
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from engine.config import settings
    from engine.observability.logging import process_kind

    otel = settings().otel
    assert otel.endpoint
    kind = process_kind()
    name = f"{otel.service_name}-{kind}" if kind else otel.service_name
    resource = Resource.create({"service.name": name, "process.pid": os.getpid()})
    provider = TracerProvider(resource=resource)
    exporter = OTLPSpanExporter(endpoint=otel.endpoint.rstrip("/") + "/v1/traces", timeout=10)
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=500))
    _state.update(provider=provider, tracer=provider.get_tracer("aura"), pid=os.getpid())
    log.info("tracing to %s as %s", otel.endpoint, name)


def _attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    from engine.observability import correlation

    out = {k: v for k, v in (attributes or {}).items() if v is not None}
    cid = correlation.current()
    if cid is not None:
        out["aura.correlation_id"] = cid
    return out


class SpanHandle:
    """A span started by :func:`start` and made current until :func:`end`."""

    __slots__ = ("span", "token")

    def __init__(self, span: Any, token: Any) -> None:
        self.span = span
        self.token = token


def start(
    name: str, attributes: Mapping[str, Any] | None = None, *, current: bool = True
) -> SpanHandle | None:
    """Starts a span under the current one (None when tracing is off). With ``current``
    it becomes the parent of spans started before :func:`end` (an execution's nodes)."""
    if not enabled():
        return None
    try:
        tracer = _tracer()
    except ImportError:  # said once by _setup
        return None
    from opentelemetry import context, trace

    s = tracer.start_span(name, attributes=_attributes(attributes))
    token = context.attach(trace.set_span_in_context(s)) if current else None
    return SpanHandle(s, token)


def end(
    handle: SpanHandle | None,
    *,
    error: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> None:
    """Ends a span from :func:`start`, marked failed with ``error`` when given."""
    if handle is None:
        return
    from opentelemetry import context
    from opentelemetry.trace import Status, StatusCode

    for key, value in (attributes or {}).items():
        if value is not None:
            handle.span.set_attribute(key, value)
    if error is not None:
        handle.span.set_status(Status(StatusCode.ERROR, error[:500]))
    handle.span.end()
    if handle.token is not None:
        try:
            context.detach(handle.token)
        except Exception:  # ended in another context than it started in
            log.debug("span %s ended outside its context", handle.span.name)


@contextlib.contextmanager
def span(name: str, attributes: Mapping[str, Any] | None = None) -> Iterator[SpanHandle | None]:
    """A span around the block (nothing when tracing is off); an exception marks it
    failed and goes on."""
    handle = start(name, attributes)
    if handle is None:
        yield None
        return
    try:
        yield handle
    except BaseException as exc:
        end(handle, error=f"{type(exc).__name__}: {exc}")
        raise
    end(handle)


def inject() -> dict[str, str]:
    """The current span's W3C ``traceparent`` (for a job's meta); empty when off."""
    if not enabled():
        return {}
    from opentelemetry.propagate import inject as _inject

    carrier: dict[str, str] = {}
    _inject(carrier)
    return carrier


@contextlib.contextmanager
def extracted(carrier: Mapping[str, Any] | None) -> Iterator[None]:
    """Makes the span a carrier names (from :func:`inject`) the parent in the block."""
    if not enabled() or not carrier or "traceparent" not in carrier:
        yield
        return
    from opentelemetry import context
    from opentelemetry.propagate import extract

    token = context.attach(extract({k: str(v) for k, v in carrier.items()}))
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            context.detach(token)


def flush(timeout_ms: int = FLUSH_TIMEOUT_MS) -> None:
    """Sends the spans still buffered (a forked work horse, before it exits)."""
    provider = _state.get("provider")
    if provider is not None:
        provider.force_flush(timeout_ms)


def reset() -> None:
    """Forgets the tracer (tests; a changed ``AURA_OTEL_ENDPOINT``), flushing it first."""
    provider = _state.get("provider")
    _state.clear()
    if provider is not None:
        provider.shutdown()
