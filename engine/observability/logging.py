"""Structured logs for every AURA process, configured once: :func:`configure_logging`.

All of AURA logs through the standard library (``logging.getLogger(__name__)``);
structlog renders each line: readable (coloured in a terminal) or one JSON object a
line with ``AURA_LOG_FORMAT=json`` (``auto``: console in a terminal, JSON otherwise).
Every line carries the process (``api``, ``worker``, ``scheduler``, ``cli``) and what is
bound in the current context: the API binds ``request_id`` for each request, and an
execution binds ``execution_id`` and ``workflow_id`` while it runs
(:func:`bind_execution`).

**Secrets never reach a log line.** Before rendering, :func:`redact_event`:

- masks values of keys that name secrets (``password``, ``token``, ``authorization``,
  ``api_key``, ``cookie``, ``secret``...);
- masks passwords in URLs (``redis://:pw@host``) and ``Bearer`` tokens in any text;
- masks the process's own secrets (signing and encryption keys, SMTP password, metrics
  token) and the credential secrets the running execution has resolved.

Lines also go, masked the same way, to the log streams the owner configured
(:mod:`engine.observability.streaming`).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit

import structlog

__all__ = [
    "Bound",
    "bind_execution",
    "configure_logging",
    "ensure_logging",
    "process_kind",
    "redact_event",
    "register_secrets",
    "request_context",
    "unbind_execution",
]

PLACEHOLDER = "***"
_SECRET_KEY = re.compile(
    r"(^|[_-])(password|passwd|passphrase|secret|token|authorization|"
    r"api[_-]?key|cookie|set[_-]cookie|private[_-]?key|client[_-]secret"
    r")($|[_-])",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"(?P<pre>[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(?=@)", re.IGNORECASE)
_BEARER = re.compile(r"(?P<pre>\b(?:bearer|token|basic)\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
_process_secrets: set[str] = set()
_execution_secrets: contextvars.ContextVar[tuple[set[str], ...]] = contextvars.ContextVar(
    "aura_execution_secrets", default=()
)
_configured: dict[str, Any] = {}


def register_secrets(values: Iterable[str | None]) -> None:
    """Adds values that no log line of this process may show."""
    _process_secrets.update(v for v in values if isinstance(v, str) and len(v) >= 4)


@contextlib.contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Binds an HTTP request's id to the log lines written inside the block (the API,
    around each request); what was bound before comes back afterwards."""
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        yield


@dataclass(frozen=True)
class Bound:
    """What :func:`bind_execution` replaced, to put back with :func:`unbind_execution`."""

    ids: Mapping[str, contextvars.Token[Any]]
    secrets: contextvars.Token[tuple[set[str], ...]]


def bind_execution(
    execution_id: str, workflow_id: str | None, secrets: set[str] | None = None
) -> Bound:
    """Binds the running execution to this context's log lines; ``secrets`` (a set the
    credential resolver keeps filling) are masked in them, as are those of the
    executions it runs inside (a sub-workflow's lines never show its parent's)."""
    ids = structlog.contextvars.bind_contextvars(
        execution_id=execution_id, workflow_id=workflow_id or None
    )
    outer = _execution_secrets.get()
    token = _execution_secrets.set((*outer, secrets) if secrets is not None else outer)
    return Bound(ids, token)


def unbind_execution(bound: Bound) -> None:
    """The execution ended: the ids and secrets bound before it come back (a parent
    execution's, or none)."""
    try:
        structlog.contextvars.reset_contextvars(**bound.ids)
        _execution_secrets.reset(bound.secrets)
    except ValueError:  # ended in another context than it started in: just forget it
        structlog.contextvars.unbind_contextvars("execution_id", "workflow_id")
        _execution_secrets.set(())


def _mask_text(text: str, redactor: Any) -> str:
    text = _URL_PASSWORD.sub(lambda m: m.group("pre") + PLACEHOLDER, text)
    text = _BEARER.sub(lambda m: m.group("pre") + PLACEHOLDER, text)
    return redactor.text(text) if redactor else text


def _mask(value: Any, redactor: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return _mask_text(value, redactor)
    if depth > 4:
        return value
    if isinstance(value, dict):
        return {
            k: PLACEHOLDER
            if isinstance(k, str) and _SECRET_KEY.search(k) and v
            else _mask(v, redactor, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_mask(v, redactor, depth + 1) for v in value]
    return value


def redact_event(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: masks secrets in every field of a log event (and drops
    uvicorn's ``color_message``, the same text with terminal colour codes)."""
    event.pop("color_message", None)
    from engine.vault.redact import Redactor

    secrets = set(_process_secrets)
    for running in _execution_secrets.get():
        secrets |= running
    redactor = Redactor(secrets) if secrets else None
    for key, value in list(event.items()):
        if key.startswith("_"):
            continue
        if _SECRET_KEY.search(key) and value:
            event[key] = PLACEHOLDER
        else:
            event[key] = _mask(value, redactor)
    return event


def _own_secrets() -> list[str | None]:
    try:
        from engine.config import settings

        s = settings()
    except Exception:  # settings unreadable: the process reports that itself
        return []
    out = [
        s.security.secret_key,
        s.security.secret_key_previous,
        s.security.encryption_key,
        s.security.smtp_password,
        s.metrics.token,
    ]
    for url in (s.redis.url, s.db.url):
        with contextlib.suppress(ValueError):
            out.append(urlsplit(url or "").password)
    return out


def configure_logging(
    level: str | int | None = None,
    *,
    process: str | None = None,
    fmt: str | None = None,
    stream: TextIO | None = None,
) -> None:
    """Sets up logging for this process (again: replaces the previous set-up).

    Args:
        level: the root level (default ``AURA_LOG_LEVEL``, INFO).
        process: bound into every line (``api``, ``worker``, ``scheduler``, ``cli``).
        fmt: ``console``, ``json`` or ``auto`` (default ``AURA_LOG_FORMAT``).
        stream: where lines go (default stderr).
    """
    from engine.config import settings

    try:
        s = settings()
        level = level if level is not None else s.log_level
        fmt = fmt or s.log.format
    except Exception:  # a bad setting is reported by the command; log plainly meanwhile
        level, fmt = level or "INFO", fmt or "auto"
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "console" if stream.isatty() else "json"
    register_secrets(_own_secrets())

    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if process:
        shared.insert(1, _add_process(process))
    renderer: Any = (
        structlog.processors.JSONRenderer(default=str)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.set_name("aura")
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.addHandler(_stream_handler(shared))
    root.setLevel(level.upper() if isinstance(level, str) else level)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    _configured.update(process=process, format=fmt)


def _stream_handler(shared: list[Any]) -> logging.Handler:
    """The handler that offers each line, rendered as JSON with secrets masked, to the
    log streams the owner configured (:mod:`engine.observability.streaming`)."""
    from engine.observability.streaming import StreamHandler

    handler = StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact_event,
                structlog.processors.JSONRenderer(default=str),
            ],
        )
    )
    handler.set_name("aura-streams")
    return handler


def process_kind() -> str | None:
    """The process kind logging was configured with (``api``, ``worker``...), if any."""
    return _configured.get("process")


def ensure_logging(process: str) -> None:
    """Configures logging unless this process already has it (server processes that
    uvicorn spawns build the app without running its command line)."""
    if not logging.getLogger().handlers:
        configure_logging(process=process)


def _add_process(name: str) -> Any:
    def add(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event.setdefault("process", name)
        return event

    return add
