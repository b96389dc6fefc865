"""Changing a knowledge base's embedding model: a warning first, then a re-embed of all
its chunks on the workers (:mod:`engine.knowledge.reembed`), followed like an ingest
(:class:`~engine.services.knowledge_ingest.IngestProgress` of kind ``reembed``).

:func:`change_model` without ``confirm`` changes nothing and raises
:class:`ModelChangeNeedsConfirmation` (409) whose message is the warning (how many
chunks are embedded again, with which model, that searches use the old model
meanwhile); with ``confirm`` it starts the job. Searches keep working throughout.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from engine.auth.types import Principal
from engine.errors import AuraError, ConflictError, ValidationError
from engine.knowledge import bases
from engine.services import knowledge, knowledge_models
from engine.services.auth import context
from engine.services.knowledge_jobs import (
    IngestCancelled,
    IngestProgress,
    _redis,
    cancel_message,
    enqueue_job,
    load_progress,
    new_job,
    save_progress,
    stop_if_cancelled,
)
from engine.store.types import utcnow

__all__ = ["JOB_FUNCTION", "ModelChangeNeedsConfirmation", "change_model", "run_reembed_job"]

log = logging.getLogger(__name__)

JOB_FUNCTION = "engine.services.knowledge_reembed.run_reembed_job"


class ModelChangeNeedsConfirmation(ConflictError):
    """Changing the model re-embeds every chunk: asked again with ``confirm``."""

    code = "confirm_model_change"


def _counts(kb_id: str) -> tuple[int, int]:
    for row, docs, chunks in bases.list_bases(context().store):
        if row.id == kb_id:
            return docs, chunks
    return 0, 0


def change_model(
    principal: Principal,
    ref: str,
    model: str,
    *,
    confirm: bool = False,
    here: bool = False,
    on_progress: Callable[[IngestProgress], None] | None = None,
) -> IngestProgress:
    """Re-embeds base ``ref`` with ``model`` (see the module): on the workers (the
    job's progress, ``queued``), or with ``here`` in this process (its end).

    Raises:
        ModelChangeNeedsConfirmation: without ``confirm`` (the message is the warning).
        ValidationError: the same model, or one that cannot be used.
        NoRedisConfigured: no workers and not ``here``.
    """
    kb = knowledge.authorized(principal, ref, "knowledge:update")
    model = (model or "").strip()
    if model == kb.model:
        raise ValidationError(f"{kb.name} already uses {model}.", details={"model": model})
    embedder = knowledge_models.check_model(principal, model)
    docs, chunks = _counts(kb.id)
    if not confirm:
        raise ModelChangeNeedsConfirmation(
            f"Changing the model of {kb.name} from {kb.model} ({kb.dims} dimensions) to "
            f"{embedder.name} ({embedder.dims} dimensions) embeds all {chunks} chunks of its "
            f"{docs} documents again"
            + (" on the embeddings API (it may cost money)" if model.startswith("openai:") else "")
            + ". Searches use the old model until that is done. Confirm to go ahead.",
            details={"model": embedder.name, "dims": embedder.dims, "old_model": kb.model,
                     "old_dims": kb.dims, "documents": docs, "chunks": chunks},
        )
    p = new_job(principal, kb, docs, kind="reembed")
    p.chunks_total, p.model = chunks, embedder.name
    context().audit(principal, "knowledge.model_changed", "knowledge_base", kb.id,
                    {"model": embedder.name, "old_model": kb.model, "job": p.id})
    if here:
        return _run(kb.id, model, p, on_progress or (lambda _: None))
    enqueue_job(p, JOB_FUNCTION, f"aura knowledge re-embed {p.id} ({chunks} chunk(s))")
    return p


def _run(kb_id: str, model: str, p: IngestProgress,
         save: Callable[[IngestProgress], None],
         check: Callable[[], None] = lambda: None) -> IngestProgress:
    """Re-embeds, saving progress; ``check()`` raises IngestCancelled to stop (after
    each batch: nothing is written before the last one)."""
    from engine.knowledge.reembed import reembed

    p.status, p.started_at = "running", utcnow().isoformat()
    save(p)

    def step(done: int, total: int) -> None:
        p.chunks_done, p.chunks_total = done, total
        save(p)
        check()

    try:
        check()
        kb = reembed(context().store, kb_id, model, step)
    except IngestCancelled as stop:
        p.status, p.finished_at = "cancelled", utcnow().isoformat()
        p.error, p.cancel_requested = cancel_message(p, stop.by), False
        save(p)
        return p
    except Exception as exc:
        if not isinstance(exc, AuraError):
            log.exception("re-embedding knowledge base %s stopped", kb_id)
        p.status, p.current, p.finished_at = "failed", "", utcnow().isoformat()
        p.error = ("Re-embedding stopped, the base keeps its old model: "
                   f"{getattr(exc, 'message', exc)}")
        save(p)
        return p
    p.status, p.current, p.finished_at = "succeeded", "", utcnow().isoformat()
    p.documents_done = p.documents_total
    p.results = [{"name": kb.name, "status": "replaced", "chunks": p.chunks_done,
                  "embedded": p.chunks_done, "model": kb.model, "dims": kb.dims}]
    save(p)
    return p


def run_reembed_job(job_id: str) -> str:
    """The RQ job of a model change: re-embeds the base with the job's model."""
    from engine.runtimes.rq import jobs

    jobs._in_horse_setup()  # a forked work horse: its own database connections
    p = load_progress(job_id)
    if p is None:
        log.warning("re-embed %s has no progress record (expired?); nothing to do", job_id)
        return "missing"
    if p.finished:  # cancelled while it waited on the queue
        return p.status
    r = _redis()
    return _run(p.kb_id, p.model, p, save_progress, lambda: stop_if_cancelled(r, p)).status

