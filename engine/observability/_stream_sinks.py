"""How a batch of records reaches each kind of outside system (for
:mod:`engine.observability.streaming`): a JSON ``POST`` to a webhook URL, RFC 5424 lines
to a syslog server (UDP or TCP), or OTLP/HTTP log records (protobuf) to a collector.

Every target passes the outbound guard (:mod:`engine.net`): private and loopback
addresses need an ``AURA_HTTP_ALLOW`` entry (or the admins' run-time allow-list).
A webhook ``POST`` is signed when its stream has a secret (``X-Aura-Signature``, see
:mod:`engine.observability.stream_secrets`). A record is a dict with ``kind`` (``event``
or ``log``), ``ts`` (ISO 8601), ``level``, ``message`` and its fields; it never holds
node data or secrets (the caller made sure).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

__all__ = ["SEVERITY", "send"]

Record = dict[str, Any]
SEVERITY = {"debug": 7, "info": 6, "warning": 4, "error": 3, "critical": 2}
"""syslog severities of AURA's levels (events are ``info``, failed ones ``warning``)."""
_OTLP_SEVERITY = {
    "debug": (5, "DEBUG"),
    "info": (9, "INFO"),
    "warning": (13, "WARN"),
    "error": (17, "ERROR"),
    "critical": (21, "FATAL"),
}
_FACILITY_LOCAL0 = 16
TIMEOUT_S = 5.0


def send(
    kind: str, url: str, records: Sequence[Record], service: str, secret: str | None = None
) -> None:
    """Sends ``records`` to one target (a webhook's body signed with ``secret``). Raises
    on failure (the caller counts it)."""
    if kind == "webhook":
        _webhook(url, records, service, secret)
    elif kind == "syslog":
        _syslog(url, records, service)
    elif kind == "otlp":
        _otlp(url, records, service)
    else:
        raise ValueError(f"unknown stream kind {kind!r}")


def _webhook(url: str, records: Sequence[Record], service: str, secret: str | None) -> None:
    from engine.net import safe_client
    from engine.observability.stream_secrets import HEADER
    from engine.vault.signing import sign_webhook

    body = json.dumps({"source": service, "records": list(records)}, default=str).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers[HEADER] = sign_webhook(secret, body)
    with safe_client(timeout=TIMEOUT_S, follow_redirects=False) as c:
        r = c.post(url, content=body, headers=headers)
    r.raise_for_status()


def _syslog_line(record: Record, service: str, host: str) -> bytes:
    pri = _FACILITY_LOCAL0 * 8 + SEVERITY.get(str(record.get("level")), 6)
    msgid = str(record.get("type") or record.get("kind") or "-").replace(" ", "_")[:32]
    data = {k: v for k, v in record.items() if k not in ("ts", "level")}
    text = json.dumps(data, default=str, separators=(",", ":"))
    app = service.replace(" ", "_")[:48]
    ts = record.get("ts") or "-"
    return f"<{pri}>1 {ts} {host} {app} {os.getpid()} {msgid} - {text}".encode()


def _guarded_address(url: str, default_port: int) -> tuple[str, str, int]:
    from engine.net import effective_allow, resolve_checked

    parts = urlsplit(url)
    if parts.scheme not in ("udp", "tcp") or not parts.hostname:
        raise ValueError(f"a syslog target is udp://host:port or tcp://host:port, not {url!r}")
    port = parts.port or default_port
    address = resolve_checked(parts.hostname, port, effective_allow())[0]
    return parts.scheme, address, port


def _syslog(url: str, records: Sequence[Record], service: str) -> None:
    scheme, address, port = _guarded_address(url, 514)
    host = socket.gethostname()[:64] or "-"
    lines = [_syslog_line(r, service, host) for r in records]
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    if scheme == "udp":
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            for line in lines:
                s.sendto(line[:8192], (address, port))
        return
    with socket.create_connection((address, port), timeout=TIMEOUT_S) as s:
        # RFC 6587 octet counting: "<length> <message>"
        s.sendall(b"".join(str(len(line)).encode() + b" " + line for line in lines))


def _any(value: Any) -> Any:
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue

    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, str):
        return AnyValue(string_value=value)
    return AnyValue(string_value=json.dumps(value, default=str))


def _otlp(url: str, records: Sequence[Record], service: str) -> None:
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import InstrumentationScope, KeyValue
    from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord, ResourceLogs, ScopeLogs
    from opentelemetry.proto.resource.v1.resource_pb2 import Resource

    from engine.net import safe_client

    out = []
    for r in records:
        number, text = _OTLP_SEVERITY.get(str(r.get("level")), (9, "INFO"))
        try:
            when = int(datetime.fromisoformat(str(r.get("ts"))).timestamp() * 1e9)
        except ValueError:
            when = 0
        attrs = [
            KeyValue(key=f"aura.{k}", value=_any(v))
            for k, v in r.items()
            if k not in ("ts", "level", "message") and v is not None
        ]
        out.append(
            LogRecord(
                time_unix_nano=when,
                severity_number=cast(Any, number),
                severity_text=text,
                body=_any(str(r.get("message") or "")),
                attributes=attrs,
            )
        )
    request = ExportLogsServiceRequest(
        resource_logs=[
            ResourceLogs(
                resource=Resource(attributes=[KeyValue(key="service.name", value=_any(service))]),
                scope_logs=[ScopeLogs(scope=InstrumentationScope(name="aura"), log_records=out)],
            )
        ]
    )
    with safe_client(timeout=TIMEOUT_S, follow_redirects=False) as c:
        resp = c.post(
            url.rstrip("/") + "/v1/logs",
            content=request.SerializeToString(),
            headers={"Content-Type": "application/x-protobuf"},
        )
    resp.raise_for_status()
