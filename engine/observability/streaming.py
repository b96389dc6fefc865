"""Event and log streaming: execution events and log lines sent to outside systems as
they happen — a webhook URL (JSON), a syslog server (RFC 5424 over UDP or TCP) or an
OpenTelemetry collector (OTLP/HTTP logs).

The owner configures the streams at run time (``PUT /api/v1/streams``); they are kept
in the ``Setting`` table under :data:`SETTING` and every process re-reads them at most
every :data:`REFRESH_S` seconds, so a change applies everywhere without a restart.

Each process forwards what it produces itself: the events it publishes
(:func:`engine.events.bus.publish` calls :func:`offer_event`) and its own log lines (a
handler that :func:`engine.observability.logging.configure_logging` adds, after secrets
were masked). Records wait in a bounded in-memory queue (dropped, and counted, when an
outside system is slower than AURA) and a background thread sends them in batches; a
forked work horse sends what is left when its execution ends (:func:`flush`).

Every ``POST`` to a webhook stream is signed (``X-Aura-Signature``, HMAC-SHA256 with a
per-stream secret kept in the vault: :mod:`engine.observability.stream_secrets`).

What leaves: events without node data (``outputs`` and ``logs`` are dropped, as in the
kept event list) and log lines as rendered (secrets masked). Nothing is sent, nothing
is started and nothing is imported for it while no stream is configured.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

__all__ = [
    "SETTING",
    "Stream",
    "StreamsConfig",
    "flush",
    "forget",
    "load_config",
    "offer_event",
    "offer_log",
    "save_config",
    "send_test",
    "stats",
]

log = logging.getLogger(__name__)
SETTING = "observability.streams"
REFRESH_S = 5.0
MAX_QUEUED = 10_000
BATCH = 200
_QUIET_LOGGERS = ("httpx", "httpcore", "urllib3", __name__, "engine.observability._stream")
"""Loggers never forwarded (a stream's own requests would feed themselves)."""
LEVELS = ("debug", "info", "warning", "error", "critical")


class Stream(BaseModel):
    """One outside system that receives events and/or log lines."""

    name: str = Field(min_length=1, max_length=64, description="A name to tell streams apart.")
    kind: Literal["webhook", "syslog", "otlp"] = Field(
        description="'webhook' (JSON POST), 'syslog' (RFC 5424) or 'otlp' (OTLP/HTTP logs)."
    )
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="webhook: the http(s) URL; syslog: udp://host:514 or tcp://host:601; "
        "otlp: the collector's base URL (http://collector:4318).",
    )
    events: bool = Field(True, description="Send execution events.")
    event_types: list[str] = Field(
        default_factory=list,
        description="Only these event types ('execution.finished', 'node.*'); empty: all.",
    )
    logs: bool = Field(False, description="Send log lines.")
    min_level: Literal["debug", "info", "warning", "error"] = Field(
        "warning", description="Lowest level of the log lines sent."
    )
    enabled: bool = Field(True, description="Off: kept but nothing is sent.")
    secret: str | None = Field(
        None,
        exclude=True,
        min_length=24,
        max_length=200,
        description="webhook: the signing secret to use (write-only, kept in the vault); "
        "leave it out and AURA generates one the first time and shows it once.",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, v: str, info: Any) -> str:
        from urllib.parse import urlsplit

        kind = info.data.get("kind")
        parts = urlsplit(v.strip())
        schemes = ("udp", "tcp") if kind == "syslog" else ("http", "https")
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(
                f"a {kind} stream needs a URL like "
                + ("udp://logs.example.com:514" if kind == "syslog" else "https://host/path")
            )
        return v.strip()

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: str | None, info: Any) -> str | None:
        if v is not None and info.data.get("kind") != "webhook":
            raise ValueError("only webhook streams are signed; leave 'secret' out")
        return v


class StreamsConfig(BaseModel):
    """Every configured stream."""

    streams: list[Stream] = Field(default_factory=list, max_length=20)

    @field_validator("streams")
    @classmethod
    def _unique(cls, v: list[Stream]) -> list[Stream]:
        names = [s.name for s in v]
        if len(set(names)) != len(names):
            raise ValueError("two streams have the same name; give each its own")
        return v


def load_config() -> StreamsConfig:
    """The configured streams (none when the store holds nothing valid)."""
    from engine.store.current import get_store

    raw = get_store().settings.get(SETTING)
    try:
        return StreamsConfig.model_validate(raw or {})
    except ValueError:
        log.warning("the stored stream settings are invalid; nothing is streamed")
        return StreamsConfig()


def save_config(config: StreamsConfig) -> dict[str, str]:
    """Stores the streams (and the webhook streams' signing secrets, in the vault);
    every process uses them within :data:`REFRESH_S` seconds. Returns the secrets AURA
    generated now, by stream name (shown once, never again)."""
    from engine.observability import stream_secrets
    from engine.store.current import get_store

    store = get_store()
    hooks = [x for x in config.streams if x.kind == "webhook"]
    given = {x.name: x.secret for x in hooks if x.secret}
    generated = stream_secrets.sync(store, [x.name for x in hooks], given)
    store.settings.set(SETTING, config.model_dump(mode="json"))
    _cache.update(at=0.0)
    return generated


# -- what each process keeps --------------------------------------------------------------
_cache: dict[str, Any] = {"at": 0.0, "streams": (), "secrets": {}}
_lock = threading.Lock()
_counts = {"sent": 0, "dropped": 0, "failed": 0}
_state: dict[str, Any] = {}
"""``queue`` and ``thread`` of the sender, ``pid`` it belongs to."""


def _streams() -> tuple[Stream, ...]:
    now = time.monotonic()
    if now - _cache["at"] < REFRESH_S:
        return tuple(_cache["streams"])
    _cache["at"] = now  # one reader at a time refreshes; the others use the old list
    from engine.store.current import opened_store

    store = opened_store()  # never opened for this: a process without a store streams nothing
    if store is None:
        return tuple(_cache["streams"])
    try:
        raw = store.settings.get(SETTING)
        streams = tuple(s for s in StreamsConfig.model_validate(raw or {}).streams if s.enabled)
        keys = _secrets_of(store, streams)
    except Exception:  # the database is away or the value invalid: keep what we had
        return tuple(_cache["streams"])
    _cache.update(streams=streams, secrets=keys)
    return streams


def _secrets_of(store: Any, streams: tuple[Stream, ...]) -> dict[str, str]:
    if not any(s.kind == "webhook" for s in streams):
        return {}
    from engine.observability.stream_secrets import load_all

    return load_all(store)


def _queue() -> queue.Queue[tuple[str, dict[str, Any]]]:
    if _state.get("pid") != os.getpid():  # first use, or a forked child
        with _lock:
            if _state.get("pid") != os.getpid():
                q: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue(MAX_QUEUED)
                t = threading.Thread(target=_run, args=(q,), name="aura-streams", daemon=True)
                _state.update(queue=q, thread=t, pid=os.getpid(), idle=threading.Event())
                t.start()
    return _state["queue"]  # type: ignore[no-any-return]


def _put(kind: str, record: dict[str, Any]) -> None:
    try:
        _queue().put_nowait((kind, record))
    except queue.Full:
        _counts["dropped"] += 1


def offer_event(event: Mapping[str, Any]) -> None:
    """Queues an event for the streams that want it (cheap when none does)."""
    streams = _streams()
    if not any(s.events for s in streams):
        return
    record = {k: v for k, v in event.items() if k not in ("outputs", "logs")}
    failed = event.get("status") in ("failed", "crashed")
    record.update(
        kind="event",
        level="warning" if failed else "info",
        message=str(event.get("type")),
    )
    _put("event", record)


def offer_log(record: dict[str, Any]) -> None:
    """Queues a rendered (masked) log line for the streams that want it."""
    streams = _streams()
    if not any(s.logs for s in streams):
        return
    if str(record.get("logger", "")).startswith(_QUIET_LOGGERS):
        return
    out = dict(record)
    out["message"] = str(out.pop("event", ""))
    out["ts"] = out.pop("timestamp", None) or datetime.now(UTC).isoformat()
    out["kind"] = "log"
    _put("log", out)


def _wanted(stream: Stream, kind: str, record: Mapping[str, Any]) -> bool:
    if kind == "event":
        if not stream.events:
            return False
        if not stream.event_types:
            return True
        from engine.events.types import matches, parse_types

        return matches(dict(record), types=parse_types(stream.event_types))
    level = str(record.get("level", "info"))
    return stream.logs and LEVELS.index(level if level in LEVELS else "info") >= LEVELS.index(
        stream.min_level
    )


def _service() -> str:
    from engine.observability.logging import process_kind

    kind = process_kind()
    return f"aura-{kind}" if kind else "aura"


def _deliver(batch: list[tuple[str, dict[str, Any]]]) -> None:
    from engine.observability._stream_sinks import send

    service = _service()
    for stream in _streams():
        records = [r for kind, r in batch if _wanted(stream, kind, r)]
        if not records:
            continue
        try:
            send(stream.kind, stream.url, records, service, _cache["secrets"].get(stream.name))
            _counts["sent"] += len(records)
        except Exception as exc:
            _counts["failed"] += len(records)
            _complain(stream, exc)


_complained: dict[str, float] = {}


def _complain(stream: Stream, exc: Exception) -> None:
    """Logs a failing stream at most once a minute (the line itself is never streamed)."""
    now = time.monotonic()
    if now - _complained.get(stream.name, -1e9) >= 60:
        _complained[stream.name] = now
        log.warning("stream %s (%s) could not send: %s", stream.name, stream.kind, exc)


def _run(q: queue.Queue[tuple[str, dict[str, Any]]]) -> None:
    while True:
        batch = [q.get()]
        deadline = time.monotonic() + 0.2
        while len(batch) < BATCH:
            try:
                batch.append(q.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        try:
            _deliver(batch)
        except Exception:  # never let the sender die
            log.debug("stream delivery failed", exc_info=True)
        finally:
            for _ in batch:
                q.task_done()


def flush(timeout: float = 5.0) -> bool:
    """Waits until this process's queued records were sent (a work horse, before it
    exits). True when they were, or when nothing was ever queued."""
    if _state.get("pid") != os.getpid():
        return True
    q: queue.Queue[Any] = _state["queue"]
    deadline = time.monotonic() + timeout
    while q.unfinished_tasks:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def forget() -> None:
    """Drops the streams this process has cached (read again on next use)."""
    _cache.update(at=0.0, streams=(), secrets={})


def stats() -> dict[str, int]:
    """Records this process sent, dropped (queue full) and failed to send."""
    return dict(_counts)


def send_test(config: StreamsConfig | None = None) -> list[dict[str, Any]]:
    """Sends one ``stream.test`` record to each stream now; what happened, per stream."""
    from engine.observability._stream_sinks import send

    record = {
        "kind": "event",
        "type": "stream.test",
        "level": "info",
        "message": "stream.test",
        "ts": datetime.now(UTC).isoformat(),
    }
    from engine.observability.stream_secrets import load_all
    from engine.store.current import get_store

    keys = load_all(get_store())
    out = []
    for stream in (config or load_config()).streams:
        try:
            secret = stream.secret or keys.get(stream.name)
            send(stream.kind, stream.url, [record], _service(), secret)
            out.append({"name": stream.name, "ok": True, "error": None})
        except Exception as exc:
            out.append({"name": stream.name, "ok": False, "error": str(exc)[:500]})
    return out


class StreamHandler(logging.Handler):
    """A logging handler that offers each rendered line (JSON, secrets masked) to the
    streams; added to the root logger by ``configure_logging``."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(_QUIET_LOGGERS):
            return
        streams = _streams()
        if not any(s.logs for s in streams):
            return
        with contextlib.suppress(Exception):  # a log line must never fail its caller
            offer_log(json.loads(self.format(record)))
