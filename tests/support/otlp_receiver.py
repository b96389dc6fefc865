"""A real OTLP/HTTP receiver for tests: a local HTTP server that accepts
``POST /v1/traces`` and ``POST /v1/logs`` (protobuf, optionally gzip-compressed, as the
OpenTelemetry exporters send them) and decodes them with ``opentelemetry-proto``::

    with OtlpReceiver() as otlp:            # otlp.url -> AURA_OTEL_ENDPOINT
        ...
        spans = otlp.spans()                # flat list of dicts
"""

from __future__ import annotations

import gzip
import http.server
import threading
from typing import Any

__all__ = ["OtlpReceiver"]


def _value(v: Any) -> Any:
    kind = v.WhichOneof("value")
    return None if kind is None else getattr(v, kind)


def _attrs(attributes: Any) -> dict[str, Any]:
    return {a.key: _value(a.value) for a in attributes}


class OtlpReceiver:
    """Collects the spans and log records that AURA processes export to it."""

    def __init__(self) -> None:
        self._spans: list[dict[str, Any]] = []
        self._logs: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                try:
                    receiver._take(self.path, body)
                except Exception:  # not OTLP: say so like a collector does
                    self.send_response(400)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _take(self, path: str, body: bytes) -> None:
        if path == "/v1/traces":
            from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
                ExportTraceServiceRequest,
            )

            req = ExportTraceServiceRequest()
            req.ParseFromString(body)
            out = [
                {
                    "service": _attrs(rs.resource.attributes).get("service.name"),
                    "name": s.name,
                    "trace_id": s.trace_id.hex(),
                    "span_id": s.span_id.hex(),
                    "parent_id": s.parent_span_id.hex() or None,
                    "attributes": _attrs(s.attributes),
                    "status": s.status.code,
                    "message": s.status.message,
                }
                for rs in req.resource_spans
                for ss in rs.scope_spans
                for s in ss.spans
            ]
            with self._lock:
                self._spans.extend(out)
        elif path == "/v1/logs":
            from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
                ExportLogsServiceRequest,
            )

            req = ExportLogsServiceRequest()
            req.ParseFromString(body)
            logs = [
                {
                    "service": _attrs(rl.resource.attributes).get("service.name"),
                    "body": _value(r.body),
                    "severity": r.severity_text,
                    "attributes": _attrs(r.attributes),
                }
                for rl in req.resource_logs
                for sl in rl.scope_logs
                for r in sl.log_records
            ]
            with self._lock:
                self._logs.extend(logs)
        else:
            raise ValueError(path)

    def spans(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._spans)

    def logs(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._logs)

    def __enter__(self) -> OtlpReceiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
