"""Knowledge base services: the door the API, the CLI and nodes (through ``ctx.knowledge``)
use to create, list, rename and delete knowledge bases, add documents and search.

Every call is authorized in the base's project (``knowledge:*`` actions of
:mod:`engine.auth.rbac`). A base the caller may not read does not exist for them
(:class:`~engine.errors.NotFoundError`, worded as for a missing id). Nodes act as their
execution's principal (:mod:`engine.services.principals`), read from the execution's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.auth import projects
from engine.auth.rbac import authorize, can
from engine.auth.types import Principal
from engine.errors import NotFoundError, ValidationError
from engine.knowledge import bases
from engine.knowledge import chunks as knowledge_chunks
from engine.knowledge import search as knowledge_search
from engine.knowledge.embedders import DEFAULT_MODEL, embedder_names
from engine.sdk.knowledge import KnowledgeAccess, set_provider
from engine.services import access, knowledge_models
from engine.services._knowledge_docs import add_one
from engine.services.auth import context
from engine.store.models_knowledge import KnowledgeBase, KnowledgeDocument

__all__ = [
    "KnowledgeBaseView",
    "add_documents",
    "authorized",
    "create_base",
    "delete_base",
    "delete_document",
    "document_chunks",
    "for_execution",
    "get_base",
    "list_bases",
    "list_documents",
    "models",
    "rename_base",
    "search",
    "vector_count",
]


@dataclass(frozen=True)
class KnowledgeBaseView:
    """A knowledge base as the API shows it."""

    id: str
    name: str
    project_id: str | None
    description: str
    model: str
    dims: int
    chunking: dict[str, Any]
    documents: int
    chunks: int
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "project_id": self.project_id,
            "description": self.description,
            "model": self.model,
            "dims": self.dims,
            "chunking": self.chunking,
            "documents": self.documents,
            "chunks": self.chunks,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _view(kb: KnowledgeBase, documents: int = 0, chunks: int = 0) -> KnowledgeBaseView:
    return KnowledgeBaseView(
        kb.id,
        kb.name,
        kb.project_id,
        kb.description,
        kb.model,
        kb.dims,
        dict(kb.chunking),
        documents,
        chunks,
        kb.created_at,
        kb.updated_at,
    )


def _missing(ref: str) -> NotFoundError:
    return NotFoundError(
        f"No knowledge base {ref!r}. List them with 'aura kb list'.",
        details={"knowledge_base": ref},
    )


def _base(principal: Principal, ref: str, action: str) -> KnowledgeBase:
    """The base ``ref`` (id, or a name in the caller's projects) if the caller may
    ``action`` on it; NotFoundError when they may not even read it."""
    store = context().store
    return access.in_projects(
        principal,
        ref,
        by_id=lambda r: bases.get(store, r),
        by_name=lambda r: bases.named(store, r),
        read="knowledge:read",
        action=action,
        missing=_missing,
    )


def authorized(principal: Principal, ref: str, action: str) -> KnowledgeBase:
    """The base ``ref`` (id or name) if ``principal`` may ``action`` on it (for the
    other knowledge services: ingest jobs, chunks)."""
    return _base(principal, ref, action)


def models() -> list[str]:
    """The embedding models a knowledge base can use."""
    return embedder_names()


def create_base(
    principal: Principal,
    name: str,
    *,
    project_id: str | None = None,
    model: str = DEFAULT_MODEL,
    chunking: dict[str, Any] | None = None,
    description: str = "",
) -> KnowledgeBaseView:
    """A new knowledge base in ``project_id`` (default: the caller's personal project)."""
    ctx = context()
    project_id = project_id or projects.default_project(ctx, principal)
    authorize(principal, "knowledge:create", project_id=project_id)
    knowledge_models.check_model(principal, model)
    kb = bases.create(
        ctx.store, project_id, name, model=model, chunking=chunking, description=description
    )
    ctx.audit(
        principal,
        "knowledge.created",
        "knowledge_base",
        kb.id,
        {"name": kb.name, "project_id": project_id, "model": kb.model},
    )
    return _view(kb)


def list_bases(principal: Principal, *, project_id: str | None = None) -> list[KnowledgeBaseView]:
    """The knowledge bases the caller may read (of ``project_id`` when given)."""
    authorize(principal, "knowledge:read", project_id=project_id)
    rows = bases.list_bases(context().store, [project_id] if project_id else None)
    return [
        _view(kb, d, c)
        for kb, d, c in rows
        if can(principal, "knowledge:read", project_id=kb.project_id)
    ]


def get_base(principal: Principal, ref: str) -> KnowledgeBaseView:
    kb = _base(principal, ref, "knowledge:read")
    for row, d, c in bases.list_bases(context().store, [kb.project_id]):
        if row.id == kb.id:
            return _view(row, d, c)
    raise _missing(ref)


def rename_base(principal: Principal, ref: str, name: str) -> KnowledgeBaseView:
    kb = _base(principal, ref, "knowledge:update")
    ctx = context()
    kb = bases.rename(ctx.store, kb.id, name)
    ctx.audit(principal, "knowledge.renamed", "knowledge_base", kb.id, {"name": kb.name})
    return get_base(principal, kb.id)


def delete_base(principal: Principal, ref: str) -> None:
    """Deletes the base with its documents, chunks and vectors."""
    kb = _base(principal, ref, "knowledge:delete")
    ctx = context()
    bases.delete(ctx.store, kb.id)
    ctx.audit(principal, "knowledge.deleted", "knowledge_base", kb.id, {"name": kb.name})


def add_documents(
    principal: Principal, ref: str, documents: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Adds documents here and now; one result per document (see
    :meth:`engine.sdk.knowledge.KnowledgeAccess.add_documents`). Long ingests go to the
    workers instead: :func:`engine.services.knowledge_ingest.start_ingest`."""
    kb = _base(principal, ref, "knowledge:update")
    store = context().store
    return [add_one(store, kb, doc) for doc in documents]


def _document(d: KnowledgeDocument) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "content_type": d.content_type,
        "chars": d.chars,
        "chunks": d.chunk_count,
        "meta": d.meta,
        "updated_at": d.updated_at.isoformat(),
    }


def list_documents(principal: Principal, ref: str) -> list[dict[str, Any]]:
    kb = _base(principal, ref, "knowledge:read")
    return [_document(d) for d in bases.documents(context().store, kb.id)]


def document_chunks(
    principal: Principal, ref: str, document_id: str, *, offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    """A document of base ``ref`` and its chunks from ``offset`` (at most ``limit``), in
    order: ``{document, total, offset, items}``; each chunk with its position, text,
    offsets in the document's text, tokens, heading and metadata."""
    kb = _base(principal, ref, "knowledge:read")
    store = context().store
    doc = knowledge_chunks.document(store, kb.id, document_id)
    page = knowledge_chunks.document_chunks(store, kb.id, doc.id, offset=offset, limit=limit)
    return {
        "document": _document(doc),
        "total": page.total,
        "offset": max(0, offset),
        "items": page.items,
    }


def delete_document(principal: Principal, ref: str, document_id: str) -> None:
    kb = _base(principal, ref, "knowledge:update")
    bases.delete_document(context().store, kb.id, document_id)


def search(
    principal: Principal,
    ref: str,
    query: str,
    *,
    k: int = 5,
    min_score: float | None = None,
    mode: str = "vector",
    filters: dict[str, Any] | None = None,
    rerank: str | None = None,
) -> list[dict[str, Any]]:
    """The ``k`` best chunks for ``query`` with scores, sources and what matched them,
    best first; ``mode``: vector, text or hybrid (see :mod:`engine.knowledge.search`);
    ``filters``: metadata the chunks must have (see :mod:`engine.knowledge.filters`);
    ``rerank``: a re-ranker's name (see :mod:`engine.knowledge.rerank`)."""
    kb = _base(principal, ref, "knowledge:read")
    hits = knowledge_search.search(
        context().store,
        kb,
        query,
        k=k,
        min_score=min_score,
        mode=mode,
        filters=filters,
        rerank=rerank,
    )
    return [h.to_dict() for h in hits]


def vector_count(principal: Principal, kb_id: str) -> int:
    """How many vectors the store holds for ``kb_id``: for readers of the base, and (once
    it is deleted, to check nothing is left) for owners and admins."""
    store = context().store
    try:
        bases.get(store, kb_id)
    except NotFoundError:
        authorize(principal, "settings:read")  # admins
    else:
        _base(principal, kb_id, "knowledge:read")
    return bases.vector_count(store, kb_id)


class _RunKnowledge(KnowledgeAccess):
    """``ctx.knowledge`` of one execution: the services above, as its principal."""

    def __init__(self, execution_id: str) -> None:
        self.execution_id = execution_id
        self._acting: Principal | None = None

    def _principal(self) -> Principal:
        """The execution's principal, read once per execution (like its credentials'),
        not again for every item a node adds or searches."""
        if self._acting is None:
            self._acting = self._read_principal()
        return self._acting

    def _read_principal(self) -> Principal:
        from engine.services.principals import RunAs, acting_principal

        try:
            row = context().store.executions.get(self.execution_id)
        except NotFoundError:
            raise ValidationError(
                "Knowledge bases are reachable from recorded runs only: run the workflow "
                "from the studio, the API or 'aura run' with a data directory."
            ) from None
        return acting_principal(RunAs.from_row(row))

    def add_documents(
        self, knowledge_base: str, documents: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        return add_documents(self._principal(), knowledge_base, documents)

    def search(
        self,
        knowledge_base: str,
        query: str,
        *,
        k: int = 5,
        min_score: float | None = None,
        mode: str = "vector",
        filters: dict[str, Any] | None = None,
        rerank: str | None = None,
    ) -> list[dict[str, Any]]:
        return search(
            self._principal(),
            knowledge_base,
            query,
            k=k,
            min_score=min_score,
            mode=mode,
            filters=filters,
            rerank=rerank,
        )


def for_execution(execution_id: str) -> KnowledgeAccess:
    """What ``ctx.knowledge`` gives the nodes of execution ``execution_id``."""
    return _RunKnowledge(execution_id)


set_provider(for_execution)
