"""Long ingests: adding many documents (a folder, a big file, a list of URLs) to a
knowledge base as one job on the RQ workers, with progress anyone who may read the base
can follow (the studio's knowledge page, ``aura kb ingest``'s progress bar, the API).

:func:`start_ingest` authorizes (``knowledge:update``), stages the documents in Redis
and enqueues :data:`JOB_FUNCTION` with the job's id as its only argument; the worker
(:func:`run_ingest_job`) adds them one by one, as :func:`engine.services.knowledge.add_documents`
does (a failed document is reported, the rest go on, a failed one leaves no chunks), and
writes its :class:`IngestProgress` after every document and every batch of chunks
embedded. :func:`ingest_here` runs the same loop in this process (no Redis configured).

:func:`~engine.services.knowledge_jobs.cancel_ingest` stops a job (the loop looks for a
cancel request before each document and after each batch of chunks embedded).

Redis keys (``aura:kb:``): those of :mod:`engine.services.knowledge_jobs`, and
``ingest:<job>:docs`` the documents' names, types and metadata, ``ingest:<job>:data:<n>``
each document's bytes (both deleted as the job goes, and when it ends; else after a
day). The job functions, progress record, listing and cancelling live in
:mod:`engine.services.knowledge_jobs` and are re-exported here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from engine.auth.types import Principal
from engine.errors import NotFoundError, ValidationError
from engine.services._knowledge_docs import add_one
from engine.services.auth import context
from engine.services.knowledge_jobs import (
    IngestCancelled,
    IngestProgress,
    _base,
    _key,
    _load,
    _redis,
    _save,
    cancel_ingest,
    cancel_message,
    enqueue_job,
    ingest_progress,
    list_ingests,
    load_progress,
    new_job,
    progress_channel,
    save_progress,
    stop_if_cancelled,
)
from engine.store.models_knowledge import KnowledgeBase
from engine.store.types import utcnow

__all__ = [
    "JOB_FUNCTION",
    "MAX_JOB_BYTES",
    "IngestProgress",
    "cancel_ingest",
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
DATA_TTL_S = 24 * 3600


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


def _run(
    store: Any,
    kb: KnowledgeBase,
    p: IngestProgress,
    documents: Callable[[int], dict[str, Any]],
    save: Callable[[IngestProgress], None],
    check: Callable[[], None] = lambda: None,
) -> IngestProgress:
    """Adds document 0..total-1 (``documents(n)`` gives each), saving progress;
    ``check()`` raises :class:`IngestCancelled` to stop (before each document, after
    each batch of chunks embedded: the document in progress is then not written)."""
    p.status, p.started_at = "running", utcnow().isoformat()
    save(p)
    base_total, base_done = p.chunks_total, p.chunks_done
    try:
        for n in range(p.documents_total):
            check()
            doc = documents(n)
            p.current = str(doc.get("name") or doc.get("url") or f"document {n + 1}")
            p.current_done = p.current_total = 0
            save(p)  # which document is being read (a slow URL, a big PDF) shows at once
            base_total, base_done = p.chunks_total, p.chunks_done

            def on_chunks(done: int, total: int, bt: int = base_total, bd: int = base_done) -> None:
                p.chunks_total, p.chunks_done = bt + total, bd + done
                p.current_done, p.current_total = done, total
                save(p)  # after each batch embedded (a SET and a PUBLISH: well under 1 ms)
                check()  # raised here, the document's chunks are not written yet

            result = add_one(store, kb, doc, on_chunks)
            p.chunks_total = base_total + result["chunks"]
            p.chunks_done = base_done + result["chunks"]
            p.documents_done += 1
            p.documents_failed += result["status"] == "failed"
            p.results.append(result)
            save(p)
    except IngestCancelled as stop:
        p.chunks_total, p.chunks_done = base_total, base_done
        p.status, p.finished_at = "cancelled", utcnow().isoformat()
        p.error = cancel_message(p, stop.by, p.current)
        p.current, p.current_done, p.current_total = "", 0, 0
        p.cancel_requested = False
        save(p)
        return p
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
    if p.finished:  # cancelled while it waited on the queue
        return p.status
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
        _run(store, kb, p, document, lambda q: _save(r, q), lambda: stop_if_cancelled(r, p))
    except Exception as exc:
        log.exception("ingest %s stopped", job_id)
        p.status, p.current, p.finished_at = "failed", "", utcnow().isoformat()
        p.error = f"The ingest stopped: {getattr(exc, 'message', exc)}"
        _save(r, p)
    finally:  # what is still staged (all of it when cancelled or stopped early)
        r.delete(_key(job_id, "docs"), *(_key(job_id, "data", n) for n in range(len(specs))))
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
