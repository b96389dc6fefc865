"""The jobs of knowledge bases on the workers (ingests, and re-embeds after a model
change): their :class:`IngestProgress` records in Redis, the channel on which each change
is published, enqueueing, reading and listing them, and cancelling them.

Redis keys (``aura:kb:``): ``ingest:<job>`` the progress (JSON, kept a week),
``ingest:<job>:progress`` its pub/sub channel, ``ingest:<job>:cancel`` a cancel request
(kept a day), ``ingests:<kb>`` the base's jobs by start time.

Cancelling (:func:`cancel_ingest`): a queued job is taken off the queue and ends
``cancelled`` at once; for a running one a cancel request is left, which the worker
reads before each document and after each batch of chunks embedded, and stops there
with :class:`IngestCancelled`. A document is written in one transaction after all its
chunks are embedded, so the one in progress leaves nothing behind; the documents already
added stay. A re-embed stops the same way, the base keeping its old model.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.auth.types import Principal
from engine.errors import ConflictError, NotFoundError
from engine.services.auth import context
from engine.store.models_knowledge import KnowledgeBase
from engine.store.types import utcnow

__all__ = [
    "FINISHED",
    "IngestCancelled",
    "IngestProgress",
    "cancel_ingest",
    "cancel_message",
    "cancel_requested",
    "enqueue_job",
    "ingest_progress",
    "list_ingests",
    "load_progress",
    "new_job",
    "progress_channel",
    "request_cancel",
    "save_progress",
    "stop_if_cancelled",
]

JOB_TIMEOUT_S = 6 * 3600
PROGRESS_TTL_S = 7 * 24 * 3600
CANCEL_TTL_S = 24 * 3600
FINISHED = ("succeeded", "failed", "cancelled")


@dataclass
class IngestProgress:
    """Where an ingest job stands. ``status``: ``queued``, ``running``, ``succeeded``
    (every document was tried; ``results`` says which failed and why), ``failed`` (the
    job itself stopped: ``error``) or ``cancelled`` (a user stopped it: the documents in
    ``results`` were added, the others were not; ``error`` says who and where).
    ``cancel_requested``: a cancel is asked for and the worker has not stopped yet.
    ``chunks_total`` counts the chunks of the documents split so far (it grows as the job
    reaches the next document); ``current_done`` of ``current_total``: the chunks of the
    document being added now. ``kind``: ``ingest``, or ``reembed``
    (:mod:`engine.services.knowledge_reembed`; ``model``: the new model)."""

    id: str
    kb_id: str
    status: str
    documents_total: int
    kind: str = "ingest"
    model: str = ""
    documents_done: int = 0
    documents_failed: int = 0
    chunks_total: int = 0
    chunks_done: int = 0
    current: str = ""
    current_done: int = 0
    current_total: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    by: str = ""
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    cancel_requested: bool = False

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: bytes | str) -> IngestProgress:
        data = json.loads(raw)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class IngestCancelled(BaseException):
    """Raised in the worker where it notices a cancel request. A ``BaseException``, so
    an ``except Exception`` on the way (a loader, an embedder) cannot swallow it."""

    def __init__(self, by: str) -> None:
        super().__init__(by)
        self.by = by


def _key(job_id: str, *parts: object) -> str:
    return ":".join([f"aura:kb:ingest:{job_id}", *(str(p) for p in parts)])


def _list_key(kb_id: str) -> str:
    return f"aura:kb:ingests:{kb_id}"


def _redis() -> Any:
    from engine.runtimes import redis_connection

    return redis_connection()  # NoRedisConfigured (409) says how to set one up


def progress_channel(job_id: str) -> str:
    """The Redis pub/sub channel on which every change of an ingest's progress is
    published (the JSON of :class:`IngestProgress`), for viewers that subscribe."""
    return _key(job_id, "progress")


def _save(r: Any, p: IngestProgress) -> None:
    raw = json.dumps(p.to_dict())
    pipe = r.pipeline()
    pipe.set(_key(p.id), raw, ex=PROGRESS_TTL_S)
    pipe.publish(progress_channel(p.id), raw)
    pipe.execute()


def _load(r: Any, job_id: str) -> IngestProgress | None:
    raw = r.get(_key(job_id))
    return IngestProgress.from_json(raw) if raw else None


def save_progress(p: IngestProgress) -> None:
    """Stores and publishes ``p`` (a job's step)."""
    _save(_redis(), p)


def load_progress(job_id: str) -> IngestProgress | None:
    return _load(_redis(), job_id)


def request_cancel(r: Any, job_id: str, by: str) -> None:
    """Leaves a cancel request (by ``by``) for the worker running ``job_id``."""
    r.set(_key(job_id, "cancel"), by, ex=CANCEL_TTL_S)


def cancel_requested(r: Any, job_id: str) -> str | None:
    """Who asked to cancel ``job_id``, if anyone did."""
    by = r.get(_key(job_id, "cancel"))
    return None if by is None else (by.decode() if isinstance(by, bytes) else str(by))


def stop_if_cancelled(r: Any, p: IngestProgress) -> None:
    """Raises :class:`IngestCancelled` if someone asked to cancel job ``p``."""
    by = cancel_requested(r, p.id)
    if by is not None:
        raise IngestCancelled(by)


def _who(principal: Principal) -> str:
    return principal.email or (
        f"API key {principal.api_key_id}" if principal.api_key_id else principal.role
    )


def _base(principal: Principal, ref: str, action: str) -> KnowledgeBase:
    from engine.services import knowledge

    return knowledge.authorized(principal, ref, action)


def new_job(
    principal: Principal, kb: KnowledgeBase, documents: int, kind: str = "ingest"
) -> IngestProgress:
    """The progress record of a new job on base ``kb`` (not saved yet)."""
    return IngestProgress(
        uuid.uuid4().hex,
        kb.id,
        "queued",
        documents,
        kind=kind,
        by=_who(principal),
        created_at=utcnow().isoformat(),
    )


def enqueue_job(p: IngestProgress, function: str, description: str) -> None:
    """Saves ``p``, lists it with its base's jobs and puts ``function(p.id)`` on the
    queue of the workers."""
    from rq import Queue

    from engine.config import settings

    r = _redis()
    pipe = r.pipeline()
    pipe.set(_key(p.id), json.dumps(p.to_dict()), ex=PROGRESS_TTL_S)
    pipe.zadd(_list_key(p.kb_id), {p.id: time.time()})
    pipe.expire(_list_key(p.kb_id), PROGRESS_TTL_S)
    pipe.execute()
    Queue(settings().queue.name, connection=r).enqueue_call(
        function,
        args=(p.id,),
        job_id=f"kb-ingest-{p.id}",
        timeout=JOB_TIMEOUT_S,
        result_ttl=60,
        failure_ttl=PROGRESS_TTL_S,
        description=description,
    )


def _view(r: Any, p: IngestProgress) -> IngestProgress:
    """``p`` as viewers see it: marked failed if RQ says its job died (a killed worker, a
    timeout), and whether a cancel is asked for while it still runs."""
    if p.finished:
        return p
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    p.cancel_requested = cancel_requested(r, p.id) is not None
    try:
        status = Job.fetch(f"kb-ingest-{p.id}", connection=r).get_status()
    except NoSuchJobError:
        return p
    if status in ("failed", "stopped", "canceled"):
        p.status, p.current = "failed", ""
        p.error = (
            f"The worker running this ingest stopped ({status}). The documents "
            "already added are kept: ingest the others again."
        )
    return p


def _find(r: Any, kb: KnowledgeBase, job_id: str) -> IngestProgress:
    p = _load(r, job_id) if len(job_id) == 32 and job_id.isalnum() else None
    if p is None or p.kb_id != kb.id:
        raise NotFoundError(
            f"No ingest {job_id!r} in this knowledge base (progress is kept a week).",
            details={"job": job_id},
        )
    return p


def ingest_progress(principal: Principal, ref: str, job_id: str) -> IngestProgress:
    """The progress of ingest ``job_id`` into base ``ref``."""
    kb = _base(principal, ref, "knowledge:read")
    r = _redis()
    return _view(r, _find(r, kb, job_id))


def list_ingests(principal: Principal, ref: str, *, limit: int = 20) -> list[IngestProgress]:
    """The base's latest ingest jobs (of the last week), newest first."""
    kb = _base(principal, ref, "knowledge:read")
    r = _redis()
    ids = [
        i.decode() if isinstance(i, bytes) else i
        for i in r.zrevrange(_list_key(kb.id), 0, max(1, min(limit, 100)) - 1)
    ]
    found = [_load(r, i) for i in ids]
    return [_view(r, p) for p in found if p is not None]


def cancel_message(p: IngestProgress, by: str, current: str = "") -> str:
    """What a cancelled job says (its ``error``)."""
    if p.kind == "reembed":
        return f"Cancelled by {by}; the knowledge base keeps its model."
    done = f"Cancelled by {by} after {p.documents_done} of {p.documents_total} document(s)"
    if p.documents_done:
        done += " (those are kept)"
    if current:
        done += f"; {current!r} was not added"
    return done + "."


def cancel_ingest(principal: Principal, ref: str, job_id: str) -> IngestProgress:
    """Cancels job ``job_id`` (an ingest or a re-embed) of base ``ref``: a queued one is
    taken off the queue and ends ``cancelled`` now; a running one is asked to stop (the
    answer has ``cancel_requested``) and ends ``cancelled`` when its worker next looks.

    Raises:
        NotFoundError: no such job in this base (or not allowed to see it).
        ConflictError: the job already ended.
    """
    kb = _base(principal, ref, "knowledge:update")
    r = _redis()
    p = _view(r, _find(r, kb, job_id))
    if p.finished:
        raise ConflictError(
            f"This ingest already ended ({p.status}); there is nothing to cancel.",
            details={"job": job_id, "status": p.status},
        )
    who = _who(principal)
    request_cancel(r, p.id, who)
    p.cancel_requested = True
    if p.status == "queued":  # no worker has it: off the queue, cancelled now
        from rq.exceptions import InvalidJobOperation, NoSuchJobError
        from rq.job import Job

        with contextlib.suppress(NoSuchJobError, InvalidJobOperation):
            Job.fetch(f"kb-ingest-{p.id}", connection=r).cancel()
        p.status, p.finished_at = "cancelled", utcnow().isoformat()
        p.error = cancel_message(p, who)
        _save(r, p)
        r.delete(_key(p.id, "docs"), *(_key(p.id, "data", n) for n in range(p.documents_total)))
    context().audit(principal, "knowledge.ingest_cancelled", "knowledge_base", kb.id, {"job": p.id})
    return p
