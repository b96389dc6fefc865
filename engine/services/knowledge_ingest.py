"""Long ingests: adding many documents (a folder, a big file, a list of URLs) to a
knowledge base as one job on the RQ workers, with progress anyone who may read the base
can follow (the studio's knowledge page, ``aura kb ingest``'s progress bar, the API).

:func:`start_ingest` authorizes (``knowledge:update``), stages the documents in Redis
and enqueues :data:`JOB_FUNCTION` with the job's id as its only argument; the worker
(:func:`run_ingest_job`) adds them one by one, as :func:`engine.services.knowledge.add_documents`
does (a failed document is reported, the rest go on, a failed one leaves no chunks), and
writes its :class:`IngestProgress` after every document and every batch of chunks
embedded. :func:`ingest_here` runs the same loop in this process (no Redis configured).

Redis keys (``aura:kb:``): ``ingest:<job>`` the progress (JSON, kept a week),
``ingest:<job>:docs`` the documents' names, types and metadata, ``ingest:<job>:data:<n>``
each document's bytes (both deleted as the job goes, else after a day),
``ingests:<kb>`` the base's jobs by start time.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.auth.types import Principal
from engine.errors import NotFoundError, ValidationError
from engine.services._knowledge_docs import add_one
from engine.services.auth import context
from engine.store.models_knowledge import KnowledgeBase
from engine.store.types import utcnow

__all__ = [
    "JOB_FUNCTION",
    "MAX_JOB_BYTES",
    "IngestProgress",
    "enqueue_job",
    "ingest_here",
    "ingest_progress",
    "list_ingests",
    "load_progress",
    "new_job",
    "progress_channel",
    "run_ingest_job",
    "save_progress",
    "start_ingest",
]

log = logging.getLogger(__name__)

JOB_FUNCTION = "engine.services.knowledge_ingest.run_ingest_job"
MAX_JOB_BYTES = 512 * 1024 * 1024
"""The most one ingest job stages in Redis (its documents' bytes together)."""
JOB_TIMEOUT_S = 6 * 3600
DATA_TTL_S = 24 * 3600
PROGRESS_TTL_S = 7 * 24 * 3600


@dataclass
class IngestProgress:
    """Where an ingest job stands. ``status``: ``queued``, ``running``, ``succeeded``
    (every document was tried; ``results`` says which failed and why) or ``failed`` (the
    job itself stopped: ``error``). ``chunks_total`` counts the chunks of the documents
    split so far (it grows as the job reaches the next document); ``current_done`` of
    ``current_total``: the chunks of the document being added now. ``kind``: ``ingest``,
    or ``reembed`` (:mod:`engine.services.knowledge_reembed`; ``model``: the new model)."""

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

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: bytes | str) -> IngestProgress:
        data = json.loads(raw)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


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


def _who(principal: Principal) -> str:
    return principal.email or (
        f"API key {principal.api_key_id}" if principal.api_key_id else principal.role
    )


def _stage(documents: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[bytes | None]]:
    """Each document's small fields, and its bulky one (text or data) as bytes."""
    specs: list[dict[str, Any]] = []
    blobs: list[bytes | None] = []
    total = 0
    for doc in documents:
        spec = {k: v for k, v in doc.items() if k not in ("text", "data")}
        blob: bytes | None = None
        if doc.get("text") is not None:
            spec["field"], blob = "text", str(doc["text"]).encode()
        elif isinstance(doc.get("data"), bytes | bytearray):
            spec["field"], blob = "data", bytes(doc["data"])
        elif isinstance(doc.get("data"), str):
            spec["field"], blob = "data_b64", doc["data"].encode()
        total += len(blob or b"")
        if total > MAX_JOB_BYTES:
            raise ValidationError(
                f"These documents hold more than {MAX_JOB_BYTES // 2**20} MB together; "
                "ingest them in several batches.",
                details={"limit_bytes": MAX_JOB_BYTES},
            )
        specs.append(spec)
        blobs.append(blob)
    return specs, blobs


def _restore(spec: dict[str, Any], blob: bytes | None) -> dict[str, Any]:
    doc = {k: v for k, v in spec.items() if k != "field"}
    kind = spec.get("field")
    if kind == "text":
        doc["text"] = (blob or b"").decode()
    elif kind == "data":
        doc["data"] = blob or b""
    elif kind == "data_b64":
        doc["data"] = (blob or b"").decode()
    return doc


def _base(principal: Principal, ref: str, action: str) -> KnowledgeBase:
    from engine.services import knowledge

    return knowledge.authorized(principal, ref, action)


def start_ingest(principal: Principal, ref: str, documents: list[dict[str, Any]]) -> IngestProgress:
    """Puts an ingest of ``documents`` (as for
    :func:`engine.services.knowledge.add_documents`) into base ``ref`` on the workers;
    its progress, ``queued``.

    Raises:
        NoRedisConfigured: no Redis, so no workers (use :func:`ingest_here`).
        ValidationError: no documents, or more than :data:`MAX_JOB_BYTES` of them.
    """
    kb = _base(principal, ref, "knowledge:update")
    if not documents:
        raise ValidationError("Give at least one document, file or URL to ingest.")
    r = _redis()
    specs, blobs = _stage(documents)
    p = new_job(principal, kb, len(specs))
    pipe = r.pipeline()
    for n, blob in enumerate(blobs):
        if blob is not None:
            pipe.set(_key(p.id, "data", n), blob, ex=DATA_TTL_S)
    pipe.set(_key(p.id, "docs"), json.dumps(specs), ex=DATA_TTL_S)
    pipe.execute()
    enqueue_job(p, JOB_FUNCTION, f"aura knowledge ingest {p.id} ({len(specs)} document(s))")
    context().audit(
        principal,
        "knowledge.ingest_started",
        "knowledge_base",
        kb.id,
        {"job": p.id, "documents": len(specs)},
    )
    return p


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


def save_progress(p: IngestProgress) -> None:
    """Stores and publishes ``p`` (a job's step)."""
    _save(_redis(), p)


def load_progress(job_id: str) -> IngestProgress | None:
    return _load(_redis(), job_id)


def _lost(p: IngestProgress) -> IngestProgress:
    """``p``, marked failed if RQ says its job died (a killed worker, a timeout)."""
    if p.finished:
        return p
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        status = Job.fetch(f"kb-ingest-{p.id}", connection=_redis()).get_status()
    except NoSuchJobError:
        return p
    if status in ("failed", "stopped", "canceled"):
        p.status, p.current = "failed", ""
        p.error = (
            f"The worker running this ingest stopped ({status}). The documents "
            "already added are kept: ingest the others again."
        )
    return p


def ingest_progress(principal: Principal, ref: str, job_id: str) -> IngestProgress:
    """The progress of ingest ``job_id`` into base ``ref``."""
    kb = _base(principal, ref, "knowledge:read")
    p = _load(_redis(), job_id) if len(job_id) == 32 and job_id.isalnum() else None
    if p is None or p.kb_id != kb.id:
        raise NotFoundError(
            f"No ingest {job_id!r} in this knowledge base (progress is kept a week).",
            details={"job": job_id},
        )
    return _lost(p)


def list_ingests(principal: Principal, ref: str, *, limit: int = 20) -> list[IngestProgress]:
    """The base's latest ingest jobs (of the last week), newest first."""
    kb = _base(principal, ref, "knowledge:read")
    r = _redis()
    ids = [
        i.decode() if isinstance(i, bytes) else i
        for i in r.zrevrange(_list_key(kb.id), 0, max(1, min(limit, 100)) - 1)
    ]
    found = [_load(r, i) for i in ids]
    return [_lost(p) for p in found if p is not None]


def _run(
    store: Any,
    kb: KnowledgeBase,
    p: IngestProgress,
    documents: Callable[[int], dict[str, Any]],
    save: Callable[[IngestProgress], None],
) -> IngestProgress:
    """Adds document 0..total-1 (``documents(n)`` gives each), saving progress."""
    p.status, p.started_at = "running", utcnow().isoformat()
    save(p)
    for n in range(p.documents_total):
        doc = documents(n)
        p.current = str(doc.get("name") or doc.get("url") or f"document {n + 1}")
        p.current_done = p.current_total = 0
        save(p)  # which document is being read (a slow URL, a big PDF) shows at once
        base_total, base_done = p.chunks_total, p.chunks_done

        def on_chunks(done: int, total: int, bt: int = base_total, bd: int = base_done) -> None:
            p.chunks_total, p.chunks_done = bt + total, bd + done
            p.current_done, p.current_total = done, total
            save(p)  # after each batch embedded (a SET and a PUBLISH: well under 1 ms)

        result = add_one(store, kb, doc, on_chunks)
        p.chunks_total = base_total + result["chunks"]
        p.chunks_done = base_done + result["chunks"]
        p.documents_done += 1
        p.documents_failed += result["status"] == "failed"
        p.results.append(result)
        save(p)
    p.status, p.current, p.finished_at = "succeeded", "", utcnow().isoformat()
    save(p)
    return p


def run_ingest_job(job_id: str) -> str:
    """The RQ job of an ingest (see the module): adds its staged documents."""
    from rq import get_current_job

    from engine.knowledge import bases
    from engine.runtimes._redis import adopt_connection
    from engine.runtimes.rq import jobs

    jobs._in_horse_setup()  # a forked work horse: its own database connections
    job = get_current_job()
    if job is not None and job.connection is not None:
        adopt_connection(job.connection)
    r = _redis()
    p = _load(r, job_id)
    if p is None:
        log.warning("ingest %s has no progress record (expired?); nothing to do", job_id)
        return "missing"
    store = context().store
    try:
        kb = bases.get(store, p.kb_id)
        specs = json.loads(r.get(_key(job_id, "docs")) or "null")
        if specs is None:
            raise ValidationError(
                "Its documents are no longer staged (kept a day); ingest them again."
            )
    except (NotFoundError, ValidationError) as exc:
        p.status, p.error, p.finished_at = "failed", exc.message, utcnow().isoformat()
        _save(r, p)
        return p.status

    def document(n: int) -> dict[str, Any]:
        doc = _restore(specs[n], r.get(_key(job_id, "data", n)))
        r.delete(_key(job_id, "data", n))
        return doc

    try:
        _run(store, kb, p, document, lambda q: _save(r, q))
    except Exception as exc:
        log.exception("ingest %s stopped", job_id)
        p.status, p.current, p.finished_at = "failed", "", utcnow().isoformat()
        p.error = f"The ingest stopped: {getattr(exc, 'message', exc)}"
        _save(r, p)
    finally:
        r.delete(_key(job_id, "docs"))
    return p.status


def ingest_here(
    principal: Principal,
    ref: str,
    documents: list[dict[str, Any]],
    on_progress: Callable[[IngestProgress], None] | None = None,
) -> IngestProgress:
    """The same ingest as :func:`start_ingest`, run in this process (``on_progress``
    hears each step); its finished progress."""
    kb = _base(principal, ref, "knowledge:update")
    p = new_job(principal, kb, len(documents))
    return _run(context().store, kb, p, lambda n: documents[n], on_progress or (lambda _: None))
