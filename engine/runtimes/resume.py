"""Durable waits: parking an execution and resuming it, on any worker, any time later.

The life of a wait::

    running --(a node raised WaitRequested)--> waiting   checkpoint, wait_until, token saved
    waiting --(time due / resume URL called)--> queued    resume payload added to checkpoint
    queued  --(a worker claims the RQ job)----> running   reuse = checkpoint outputs
    running --> succeeded | failed | ... (or waiting again at the next Wait)

Every change is one conditional ``UPDATE`` on the execution row, so of two schedulers
waking the same wait, or two calls of one resume URL, exactly one wins; the loser gets a
:class:`~engine.errors.ConflictError`. The RQ job carries only the execution id: the
resume payload travels in the row's ``checkpoint`` (``checkpoint["resume"]``), and a
resumed execution is run by the standard job (:func:`engine.runtimes.rq.jobs.run_execution`)
through :func:`engine.services.runs.execute_recorded`, which sees the checkpoint and
calls :func:`prepare_resume`. Nothing lives only in memory or only in Redis: a queued
row without a job is re-enqueued by the workers' orphan check.
"""

from __future__ import annotations

import builtins
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from engine.errors import ConflictError, NotFoundError
from engine.executor import RunRequest
from engine.executor.result import Checkpoint
from engine.sdk.items import Item, PairedItem
from engine.store.enums import ExecutionStatus
from engine.store.models import Execution
from engine.store.types import jsonable, utcnow

__all__ = [
    "DEFAULT_PUBLIC_URL",
    "RESUME_KEY",
    "WAITING_PREFIX",
    "claim_resume",
    "clear_checkpoint",
    "due_waits",
    "park",
    "prepare_resume",
    "public_url",
    "resume",
    "resume_due",
    "resume_url",
]

log = logging.getLogger(__name__)
RESUME_KEY = "resume"
"""Key of the resume payload inside the checkpoint JSON."""
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5678"
WAITING_PREFIX = "webhook-waiting"


def public_url() -> str:
    """Base URL under which this instance's webhooks are reachable: ``AURA_PUBLIC_URL``,
    else ``http://127.0.0.1:5678`` (the API server's default address)."""
    from engine.config import settings

    return (settings().public_url or DEFAULT_PUBLIC_URL).rstrip("/")


def resume_url(execution_id: str, token: str) -> str:
    """``$execution.resume_url``: calling it resumes the execution's webhook wait."""
    return f"{public_url()}/{WAITING_PREFIX}/{execution_id}/{token}"


def park(store: Any, execution_id: str, checkpoint: Checkpoint, token: str | None) -> Execution:
    """Moves a running execution to ``waiting`` with its checkpoint, in one update.

    ``wait_until`` is the time to resume (or, for a webhook wait, its limit; None waits
    for the call forever); ``resume_token`` is kept for webhook waits only.

    Raises:
        ConflictError: the execution is no longer running (e.g. cancelled meanwhile).
    """
    wait = checkpoint.wait
    until = wait.until.astimezone(UTC) if wait.until else None
    values = {
        "status": ExecutionStatus.WAITING.value,
        "checkpoint": jsonable(checkpoint.to_json()),
        "wait_until": until,
        "heartbeat_at": None,
        "resume_token": token if wait.resume == "webhook" else None,
    }
    return _conditional(store, execution_id, ExecutionStatus.RUNNING, values)


def claim_resume(
    store: Any, execution_id: str, payload: dict[str, Any], *, token: str | None = None
) -> Execution:
    """Moves a waiting execution to ``queued`` with ``payload`` added to its checkpoint
    (under :data:`RESUME_KEY`). With ``token`` (a webhook resume) the row must hold that
    token. Exactly one of several concurrent callers succeeds.

    Raises:
        NotFoundError: no such execution (or, with ``token``, not that token).
        ConflictError: it is not waiting (already resumed, cancelled, finished).
    """
    import hmac

    row: Execution = store.executions.get(execution_id)
    if token is not None and not hmac.compare_digest(row.resume_token or "", token):
        raise NotFoundError(
            "This resume URL is unknown or was already used.", details={"id": execution_id}
        )
    if row.status != ExecutionStatus.WAITING.value or row.checkpoint is None:
        raise ConflictError(
            f"Execution {execution_id} is {row.status}, not waiting; it was "
            "resumed already or has ended.",
            details={"id": execution_id, "status": row.status},
        )
    checkpoint = {**row.checkpoint, RESUME_KEY: jsonable(payload)}
    # a resume is a trigger: the rest of the run acts as the execution's project
    values = {
        "status": ExecutionStatus.QUEUED.value,
        "checkpoint": checkpoint,
        "wait_until": None,
        "resume_token": None,
        "worker_id": None,
        "principal_kind": "project",
        "principal_user_id": None,
        "principal_api_key_id": None,
    }
    return _conditional(store, execution_id, ExecutionStatus.WAITING, values, token=token)


def resume(
    execution_id: str,
    payload: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    store: Any = None,
) -> str:
    """Resumes a waiting execution: claims it (:func:`claim_resume`) and dispatches it
    to the workers (or runs it inline here when no Redis is configured).

    Returns the execution id. Raises like :func:`claim_resume`.
    """
    from engine.runtimes._redis import redis_configured
    from engine.runtimes.queue import dispatch
    from engine.store.current import get_store

    store = store or get_store()
    claim_resume(store, execution_id, payload or {"kind": "time"}, token=token)
    payload_kind = (payload or {}).get("kind", "time")
    log.info("resuming execution %s (%s)", execution_id, payload_kind)
    # the claimed row (queued again, as a trigger of its project) is dispatched
    dispatch(execution_id, runtime="rq" if redis_configured() else "inline")
    return execution_id


def due_waits(store: Any, now: datetime | None = None, limit: int = 200) -> builtins.list[str]:
    """Ids of waiting executions whose ``wait_until`` has come (oldest first). One
    indexed query; cheap when nothing is due."""
    cutoff = now or utcnow()
    with store.db.read() as s:
        return list(
            s.exec(
                select(Execution.id)
                .where(
                    col(Execution.status) == ExecutionStatus.WAITING.value,
                    col(Execution.wait_until).is_not(None),
                    col(Execution.wait_until) <= cutoff,
                )
                .order_by(col(Execution.wait_until))
                .limit(limit)
            ).all()
        )


def resume_due(store: Any = None, now: datetime | None = None) -> builtins.list[str]:
    """Resumes every due time wait (the scheduler's tick). Returns the ids resumed by
    this call; a wait resumed by someone else meanwhile is skipped."""
    from engine.store.current import get_store

    store = store or get_store()
    out = []
    for eid in due_waits(store, now):
        try:
            resume(eid, {"kind": "time", "at": utcnow().isoformat()}, store=store)
            out.append(eid)
        except (ConflictError, NotFoundError):
            continue
        except Exception as exc:  # the row is queued: the workers' orphan check enqueues it
            log.warning("resuming execution %s: %s", eid, exc)
    return out


def prepare_resume(store: Any, request: RunRequest, row: Any = None) -> Checkpoint | None:
    """If the execution of ``request`` was parked, turns ``request`` into its resume:
    ``reuse`` = the checkpoint's outputs, and the waiting node's output = its input
    items, or (webhook resume) the webhook request item. Returns the checkpoint, or None
    for an execution that never waited. ``row``: the execution's row, if at hand."""
    if row is None:
        try:
            row = store.executions.get(request.execution_id)
        except NotFoundError:
            return None
    if not row.checkpoint or "node" not in row.checkpoint:
        return None  # never parked (a partial run's checkpoint carries only its reuse)
    cp = Checkpoint.from_json(row.checkpoint)
    payload = row.checkpoint.get(RESUME_KEY) or {}
    port = _resumed_port(cp, payload)
    request.reuse = {**cp.outputs, **request.reuse, cp.node: {port: _resumed_items(cp, payload)}}
    return cp


def _resumed_port(cp: Checkpoint, payload: dict[str, Any]) -> str:
    """The output the waiting node's items leave by: the resumer's ``port`` (an approval's
    decision) or how it was resumed (``time``, ``webhook``), mapped through the wait's
    ``options["ports"]``; ``main`` by default."""
    ports = cp.wait.options.get("ports") if isinstance(cp.wait.options, dict) else None
    if not isinstance(ports, dict):
        return str(payload.get("port") or "main")
    key = payload.get("port") or payload.get("kind") or "time"
    return str(ports.get(key, key if payload.get("port") else "main"))


def _resumed_items(cp: Checkpoint, payload: dict[str, Any]) -> list[Item]:
    main = cp.inputs.get("main") or next(iter(cp.inputs.values()), [])
    item = payload.get("item")
    merge = payload.get("merge")
    if isinstance(merge, dict):  # e.g. an approval's decision, added to every item
        return [i.derive({**i.json, **merge}, index=k) for k, i in enumerate(main)]
    if payload.get("kind") == "webhook" and isinstance(item, dict):
        got = Item.from_dict(item)
        if main:
            got.paired_item = [PairedItem(0)]
        return [got]
    return [i.derive(index=k) for k, i in enumerate(main)]


def clear_checkpoint(store: Any, execution_id: str) -> None:
    """Drops the checkpoint of a finished execution (it can be large)."""
    with store.db.write() as s:
        s.exec(update(Execution).where(col(Execution.id) == execution_id).values(checkpoint=None))


def _conditional(
    store: Any,
    execution_id: str,
    source: ExecutionStatus,
    values: dict[str, Any],
    token: str | None = None,
) -> Execution:
    target = ExecutionStatus(values["status"])
    assert source.can_become(target), (source, target)
    conds = [col(Execution.id) == execution_id, col(Execution.status) == source.value]
    if token is not None:
        conds.append(col(Execution.resume_token) == token)
    with store.db.write() as s:
        result = s.exec(update(Execution).where(*conds).values(**values))
        row: Execution | None = s.get(Execution, execution_id, populate_existing=True)
        if row is None:
            raise NotFoundError(
                f"No execution with id {execution_id!r}.", details={"id": execution_id}
            )
        if result.rowcount == 0:
            raise ConflictError(
                f"Execution {execution_id} is {row.status}; it cannot become {target.value}.",
                details={"id": execution_id, "status": row.status, "requested": target.value},
            )
        return row
