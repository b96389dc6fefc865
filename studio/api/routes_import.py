"""``/api/v1/workflows/import``: convert an n8n or Node-RED document into AURA workflows.

The body carries the pasted or uploaded document; the answer has, per workflow, its
definition and the import report (nodes mapped / with notes / not supported,
expressions translated / kept, credentials to create). With ``save=false`` (the default,
what an import dialog shows first) nothing is stored; with ``save=true`` each imported
workflow is created in the caller's project.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from engine.services import interop
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router"]

router = Router("Workflows")


class ImportIn(In):
    format: Literal["auto", "n8n", "node-red"] = Field(
        "auto", description="The document's tool; 'auto' recognises n8n and Node-RED."
    )
    document: dict[str, Any] | list[Any] = Field(
        description="The n8n workflow JSON (an object) or Node-RED flow export (a list)."
    )
    save: bool = Field(
        False, description="Store the imported workflows (false: only convert and report)."
    )
    source: str = Field("upload", max_length=300, description="File name, shown in reports.")
    project_id: str | None = Field(
        None,
        max_length=64,
        description="Project to create them in; default: your personal project.",
    )


class ImportOut(Out):
    workflows: list[dict[str, Any]] = Field(
        description="Per workflow: source, name, id (when saved), report and definition."
    )
    totals: dict[str, Any] = Field(description="Totals over the imported workflows.")


@router.post(
    "/workflows/import",
    action="workflow:create",
    summary="Import from n8n or Node-RED",
    body=ImportIn,
    response=ImportOut,
    errors=(422,),
    scope="handler",
)
def import_workflows(call: Call) -> dict[str, Any]:
    """Converts the document; stores the workflows when ``save`` is true."""
    body: ImportIn = call.body
    project_id = body.project_id or call.default_project()
    call.authorize_in(project_id)
    return interop.import_document(
        body.document,
        fmt=body.format,
        source=body.source,
        dry_run=not body.save,
        project_id=project_id,
    )
