"""``/api/v1/knowledge-bases/{kb_id}/ingests``: long ingests on the workers and their
progress (:mod:`engine.services.knowledge_ingest`, which authorizes in the base's
project)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from engine.services import knowledge_ingest, knowledge_reembed
from studio.api.routes_knowledge import DocumentsIn, IngestOut
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router"]

router = Router("Knowledge")


class IngestJobOut(Out):
    id: str = Field(description="The ingest's id (follow it with GET .../ingests/{id}).")
    kb_id: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"] = Field(
        description="succeeded: every document was tried (results says which failed); "
        "failed: the job itself stopped (error says why); cancelled: someone cancelled it "
        "(the documents in results were added, the others not; error says who)."
    )
    kind: Literal["ingest", "reembed"] = Field(
        "ingest", description="ingest: documents added; reembed: a model change."
    )
    model: str = Field("", description="The model a re-embed switches to.")
    documents_total: int
    documents_done: int
    documents_failed: int
    chunks_total: int = Field(description="Chunks of the documents split so far.")
    chunks_done: int = Field(description="Of those, embedded and stored (or unchanged).")
    current: str = Field(description="The document being added now.")
    current_done: int = Field(0, description="Its chunks done ...")
    current_total: int = Field(0, description="... of its chunks.")
    results: list[IngestOut] = Field(description="One per document done, in order.")
    error: str = ""
    by: str = Field(description="Who started it.")
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    cancel_requested: bool = Field(
        False, description="A cancel is asked for; the worker stops at its next step."
    )


class IngestJobList(Out):
    items: list[IngestJobOut]


class ModelIn(In):
    model: str = Field(
        max_length=200,
        description="The new embedding model: the offline one, or "
        "'openai:<model>@<credential id>' (an OpenAI-compatible API credential).",
    )
    confirm: bool = Field(
        False,
        description="Every chunk is embedded again: without confirm nothing changes and "
        "the answer (409) is the warning saying how many.",
    )


@router.post(
    "/knowledge-bases/{kb_id}/ingests",
    action="knowledge:update",
    summary="Ingest documents on the workers",
    description="Queues the documents for the workers and answers at once; follow the "
    "progress with GET .../ingests/{id}. Needs a Redis (workers); else add documents "
    "with POST .../documents.",
    body=DocumentsIn,
    status=202,
    errors=(404, 409),
    response=IngestJobOut,
    scope="service",
)
def start_ingest(call: Call) -> dict[str, Any]:
    docs = [d.model_dump() for d in call.body.documents]
    return knowledge_ingest.start_ingest(call.principal, call.path["kb_id"], docs).to_dict()


@router.get(
    "/knowledge-bases/{kb_id}/ingests",
    action="knowledge:read",
    summary="List recent ingests",
    errors=(404, 409),
    response=IngestJobList,
    scope="service",
)
def list_ingests(call: Call) -> dict[str, Any]:
    jobs = knowledge_ingest.list_ingests(call.principal, call.path["kb_id"])
    return {"items": [j.to_dict() for j in jobs]}


@router.get(
    "/knowledge-bases/{kb_id}/ingests/{job_id}",
    action="knowledge:read",
    summary="Get an ingest's progress",
    errors=(404, 409),
    response=IngestJobOut,
    scope="service",
)
def ingest_progress(call: Call) -> dict[str, Any]:
    return knowledge_ingest.ingest_progress(
        call.principal, call.path["kb_id"], call.path["job_id"]
    ).to_dict()


@router.post(
    "/knowledge-bases/{kb_id}/ingests/{job_id}/cancel",
    action="knowledge:update",
    summary="Cancel an ingest",
    description="A queued ingest (or re-embed) ends cancelled at once; a running one "
    "stops at its worker's next step (before the next document, after a batch of "
    "chunks): the documents already added stay, the one in progress is not added. "
    "Answers the job (cancel_requested while it still runs); 409 if it already ended.",
    errors=(404, 409),
    response=IngestJobOut,
    scope="service",
)
def cancel_ingest(call: Call) -> dict[str, Any]:
    return knowledge_ingest.cancel_ingest(
        call.principal, call.path["kb_id"], call.path["job_id"]
    ).to_dict()


@router.put(
    "/knowledge-bases/{kb_id}/model",
    action="knowledge:update",
    summary="Change the embedding model (re-embeds)",
    description="Re-embeds every chunk with the new model on the workers (follow it "
    "with GET .../ingests/{id}); searches use the old model until it is done. Without "
    "confirm: 409 with the warning, nothing changes.",
    body=ModelIn,
    status=202,
    errors=(404, 409),
    response=IngestJobOut,
    scope="service",
)
def change_model(call: Call) -> dict[str, Any]:
    b: ModelIn = call.body
    return knowledge_reembed.change_model(
        call.principal, call.path["kb_id"], b.model, confirm=b.confirm
    ).to_dict()
