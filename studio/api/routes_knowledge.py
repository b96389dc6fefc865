"""``/api/v1/knowledge-bases``: knowledge bases, their documents, and search.

Every handler goes through :mod:`engine.services.knowledge`, which authorizes in the
base's project (a base of another project answers 404)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from engine.services import knowledge
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router"]

router = Router("Knowledge")


class BaseIn(In):
    name: str = Field(max_length=200, description="The knowledge base's name.")
    project_id: str | None = Field(
        None, max_length=64, description="Project; default: your personal project."
    )
    model: str = Field(knowledge.DEFAULT_MODEL, max_length=200, description="Embedding model.")
    chunking: dict[str, int] | None = Field(None, description="{size, overlap} in tokens.")
    description: str = Field("", max_length=2000, description="What it holds.")


class RenameIn(In):
    name: str = Field(max_length=200, description="The new name.")


class DocumentIn(In):
    name: str = Field(
        "",
        max_length=500,
        description="Document name (e.g. its file name); a URL's document is named by it.",
    )
    text: str | None = Field(None, description="The text (text or Markdown).")
    data: str | None = Field(
        None, description="Or the file, base64 (HTML, PDF, DOCX, CSV, JSON...)."
    )
    url: str | None = Field(
        None,
        max_length=4000,
        description="Or an http(s) address AURA fetches (private addresses refused).",
    )
    content_type: str | None = Field(None, max_length=100, description="MIME type.")
    meta: dict[str, Any] = Field(
        default_factory=dict,
        max_length=50,
        description="Metadata every chunk of the document carries (search filters use it).",
    )


class DocumentsIn(In):
    documents: list[DocumentIn] = Field(max_length=500, description="Documents to add.")


class SearchIn(In):
    query: str = Field(max_length=10_000, description="What to look for.")
    k: int = Field(5, ge=1, le=100, description="How many chunks.")
    min_score: float | None = Field(None, ge=-1, le=1, description="Lowest cosine similarity kept.")
    mode: Literal["vector", "text", "hybrid"] = Field(
        "vector", description="By meaning, by words, or both fused by rank."
    )
    filters: dict[str, Any] | None = Field(
        None,
        description='Metadata the chunks must have: {"field": value}, {"field": [values]} '
        'or a range {"field": {"$gte": 10, "$lt": 20}} ($gt, $gte, $lt, $lte; numbers or ISO '
        'dates) (document metadata, CSV/JSON record fields, "document", "heading").',
    )
    rerank: str | None = Field(
        None,
        max_length=100,
        description="Re-rank the search's best 4k chunks with this re-ranker (built in: "
        "'keywords', the share of the query's words a chunk holds); others are registered "
        "in code (engine.knowledge.rerank).",
    )


class KnowledgeBaseOut(Out):
    id: str
    name: str
    project_id: str | None = None
    description: str = ""
    model: str = Field(description="The embedding model.")
    dims: int = Field(description="Its vectors' dimensions.")
    chunking: dict[str, int] = Field(description="{size, overlap} in tokens.")
    documents: int
    chunks: int
    created_at: str
    updated_at: str


class KnowledgeBaseList(Out):
    items: list[KnowledgeBaseOut]


class DocumentOut(Out):
    id: str
    name: str
    content_type: str
    chars: int
    chunks: int
    meta: dict[str, Any]
    updated_at: str


class DocumentList(Out):
    items: list[DocumentOut]


class IngestOut(Out):
    name: str
    status: Literal["added", "replaced", "unchanged", "failed"]
    chunks: int
    embedded: int = Field(0, description="Chunks embedded (unchanged ones are reused).")
    document_id: str | None = None
    error: str | None = Field(None, description="Why a failed document was not added.")


class IngestList(Out):
    items: list[IngestOut]


class HitOut(Out):
    chunk_id: str
    document_id: str
    document: str = Field(description="The document's name (cite it).")
    score: float = Field(description="Cosine similarity (vector), text rank, or RRF.")
    text: str
    start: int = Field(description="Offset of the chunk in the document's text.")
    end: int
    position: int = Field(description="The chunk's index in its document.")
    heading: str | None = None
    matched: list[str] = Field(description="Which searches found it: vector, text.")
    similarity: float | None = None
    rerank_score: float | None = Field(None, description="The re-ranker's score, if any.")
    meta: dict[str, Any] = Field(
        default_factory=dict,
        description="The chunk's metadata: its document's, and a CSV/JSON record's fields.",
    )


class HitList(Out):
    items: list[HitOut]


@router.get(
    "/knowledge-bases",
    action="knowledge:read",
    summary="List knowledge bases",
    response=KnowledgeBaseList,
    scope="service",
)
def list_bases(call: Call) -> dict[str, Any]:
    return {"items": [b.to_dict() for b in knowledge.list_bases(call.principal)]}


@router.post(
    "/knowledge-bases",
    action="knowledge:create",
    summary="Create a knowledge base",
    body=BaseIn,
    status=201,
    errors=(409,),
    response=KnowledgeBaseOut,
    scope="service",
)
def create_base(call: Call) -> dict[str, Any]:
    b: BaseIn = call.body
    return knowledge.create_base(
        call.principal,
        b.name,
        project_id=b.project_id,
        model=b.model,
        chunking=b.chunking,
        description=b.description,
    ).to_dict()


@router.get(
    "/knowledge-bases/{kb_id}",
    action="knowledge:read",
    summary="Get a knowledge base",
    errors=(404,),
    response=KnowledgeBaseOut,
    scope="service",
)
def get_base(call: Call) -> dict[str, Any]:
    return knowledge.get_base(call.principal, call.path["kb_id"]).to_dict()


@router.patch(
    "/knowledge-bases/{kb_id}",
    action="knowledge:update",
    summary="Rename a knowledge base",
    body=RenameIn,
    errors=(404, 409),
    response=KnowledgeBaseOut,
    scope="service",
)
def rename_base(call: Call) -> dict[str, Any]:
    return knowledge.rename_base(call.principal, call.path["kb_id"], call.body.name).to_dict()


@router.delete(
    "/knowledge-bases/{kb_id}",
    action="knowledge:delete",
    summary="Delete a knowledge base and its vectors",
    status=204,
    errors=(404,),
    scope="service",
)
def delete_base(call: Call) -> None:
    knowledge.delete_base(call.principal, call.path["kb_id"])


@router.get(
    "/knowledge-bases/{kb_id}/documents",
    action="knowledge:read",
    summary="List documents",
    errors=(404,),
    response=DocumentList,
    scope="service",
)
def list_documents(call: Call) -> dict[str, Any]:
    return {"items": knowledge.list_documents(call.principal, call.path["kb_id"])}


class ChunksQuery(In):
    offset: int = Field(0, ge=0, le=10_000_000, description="Skip this many chunks.")
    limit: int = Field(50, ge=1, le=500, description="At most this many chunks.")


class ChunkOut(Out):
    id: str
    position: int = Field(description="The chunk's index in its document (0 first).")
    start: int = Field(description="Offset of the chunk in the document's text.")
    end: int
    tokens: int
    text: str
    heading: str | None = Field(None, description="The heading it sits under.")
    meta: dict[str, Any] = Field(
        default_factory=dict, description="Its metadata (what search filters match)."
    )


class ChunkList(Out):
    document: DocumentOut
    total: int = Field(description="How many chunks the document has.")
    offset: int
    items: list[ChunkOut]


@router.get(
    "/knowledge-bases/{kb_id}/documents/{document_id}/chunks",
    action="knowledge:read",
    summary="List a document's chunks",
    query=ChunksQuery,
    errors=(404,),
    response=ChunkList,
    scope="service",
)
def document_chunks(call: Call) -> dict[str, Any]:
    q: ChunksQuery = call.query
    return knowledge.document_chunks(
        call.principal, call.path["kb_id"], call.path["document_id"], offset=q.offset, limit=q.limit
    )


@router.post(
    "/knowledge-bases/{kb_id}/documents",
    action="knowledge:update",
    summary="Add documents",
    body=DocumentsIn,
    errors=(404,),
    response=IngestList,
    scope="service",
)
def add_documents(call: Call) -> dict[str, Any]:
    docs = [d.model_dump() for d in call.body.documents]
    return {"items": knowledge.add_documents(call.principal, call.path["kb_id"], docs)}


@router.post(
    "/knowledge-bases/{kb_id}/search",
    action="knowledge:read",
    summary="Search a knowledge base",
    body=SearchIn,
    errors=(404,),
    response=HitList,
    scope="service",
)
def search(call: Call) -> dict[str, Any]:
    b: SearchIn = call.body
    return {
        "items": knowledge.search(
            call.principal,
            call.path["kb_id"],
            b.query,
            k=b.k,
            min_score=b.min_score,
            mode=b.mode,
            filters=b.filters,
            rerank=b.rerank,
        )
    }
