"""The answer of a run on the workers, for the caller waiting on it (a webhook that answers
from its run: last node, or a Respond to Webhook node).

A run whose trigger asks for it (``trigger["answer"]``, set by the webhook layer) keeps
:meth:`engine.executor.ExecutionResult.answer` — the Respond to Webhook response with its
binary attachment, and the last node's items — under ``aura:answer:<execution>`` for
:data:`ANSWER_TTL_S`, written by the worker *before* the execution is recorded finished
(:meth:`engine.executor.ExecutionHooks.execution_ending`), so a waiter that sees the end,
announced or read from the record, finds it. Nothing is read back from the store: the
answer does not depend on the data-retention settings (node data of successful runs not
saved), on ``max_saved_items``, nor on binary data the record never holds.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from engine.runtimes._redis import redis_configured, redis_connection

if TYPE_CHECKING:
    import redis

    from engine.executor import ExecutionResult
    from engine.store.models import Execution

__all__ = ["ANSWER_TTL_S", "TRIGGER_KEY", "answer", "keep_answer", "wants_answer"]

log = logging.getLogger(__name__)

TRIGGER_KEY = "answer"
"""Key of the execution's ``trigger`` JSON saying that a caller waits for its answer."""
ANSWER_TTL_S = 300


def _key(execution_id: str) -> str:
    return f"aura:answer:{execution_id}"


def wants_answer(row: Execution) -> bool:
    """Whether somebody waits for the answer of this execution."""
    return bool((row.trigger or {}).get(TRIGGER_KEY))


def keep_answer(r: redis.Redis | None, execution_id: str, result: ExecutionResult) -> None:
    """Keeps the answer of a finished run for its waiter (best effort)."""
    if r is None:
        return
    from engine.store.types import dumps

    try:
        r.set(_key(execution_id), dumps(result.answer()), ex=ANSWER_TTL_S)
    except Exception as exc:
        log.warning("could not keep the answer of execution %s: %s", execution_id, exc)


def answer(execution_id: str) -> dict[str, Any] | None:
    """The answer a worker kept for ``execution_id`` (None: none kept, or expired)."""
    if not redis_configured():
        return None
    raw: Any = redis_connection().get(_key(execution_id))
    if raw is None:
        return None
    value = json.loads(raw)
    return value if isinstance(value, dict) else None
