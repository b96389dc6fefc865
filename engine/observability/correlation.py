"""The correlation id: one id that follows a piece of work across processes.

An API request takes it from its ``X-Correlation-ID`` header or uses its request id;
anything else that starts an execution (a schedule, the CLI, a resumed wait) gets a new
one when :func:`engine.services.executions.start` finds none bound. From there it
travels with the work:

- into every log line of this context (bound into structlog's context variables, next
  to ``request_id``), and into every event published meanwhile
  (:func:`engine.events.types.new_event`);
- through the queue in the RQ job's ``meta`` (:func:`job_meta`), so the worker that runs
  the execution binds it again (:func:`from_job`) for its log lines, node runs, sandbox
  calls, events and trace spans;
- out of the API as the ``X-Correlation-ID`` response header.

Only ids of letters, digits, ``.``, ``_`` and ``-`` (at most 64) are accepted from
outside; anything else is replaced by a new id, so a header cannot smuggle text into
log lines.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import structlog

__all__ = [
    "HEADER",
    "META_KEY",
    "bound",
    "current",
    "ensure",
    "from_job",
    "job_meta",
    "new_id",
    "valid",
]

HEADER = "X-Correlation-ID"
META_KEY = "correlation_id"
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "aura_correlation_id", default=None
)


def new_id() -> str:
    """A fresh correlation id (16 hex digits, like a request id)."""
    return uuid.uuid4().hex[:16]


def valid(value: object) -> str | None:
    """``value`` if it is an acceptable id, else None."""
    return value if isinstance(value, str) and _VALID.match(value) else None


def current() -> str | None:
    """The correlation id bound in this context, if any."""
    return _current.get()


@contextlib.contextmanager
def bound(correlation_id: str | None) -> Iterator[str]:
    """Binds ``correlation_id`` (a new one when None or invalid) to this context's log
    lines, events and spans for the block; what was bound before comes back after."""
    cid = valid(correlation_id) or new_id()
    token = _current.set(cid)
    try:
        with structlog.contextvars.bound_contextvars(correlation_id=cid):
            yield cid
    finally:
        _current.reset(token)


@contextlib.contextmanager
def ensure() -> Iterator[str]:
    """Keeps the bound correlation id, or binds a new one for the block."""
    cid = current()
    if cid is not None:
        yield cid
        return
    with bound(None) as cid:
        yield cid


def job_meta(correlation_id: str | None = None) -> dict[str, Any]:
    """What an RQ job carries for its worker: the correlation id given, else the one
    bound here (empty when there is none)."""
    cid = valid(correlation_id) or current()
    return {META_KEY: cid} if cid else {}


def from_job(meta: Mapping[str, Any] | None, fallback: str) -> str:
    """The correlation id an RQ job carries in its ``meta``, else ``fallback`` (the
    execution id: a run re-enqueued after a restart still correlates with itself)."""
    return valid((meta or {}).get(META_KEY)) or valid(fallback) or new_id()
