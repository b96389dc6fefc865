"""``/api/v1/nodes``: the node catalog (what the editor palette shows) and each node
type's full description, including the JSON Schema of its parameters."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from engine.errors import NotFoundError, UnknownNodeType
from engine.sdk import get_catalog
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router"]

router = Router("Nodes")


class NodeQuery(In):
    search: str | None = Field(None, max_length=200, description="Text in type, title or "
                               "description.")
    category: str | None = Field(None, max_length=100, description="Only this category.")
    trigger: bool | None = Field(None, description="Only trigger nodes (true) or others.")
    all_versions: bool = Field(False, description="List every installed version, not only "
                               "the newest of each type.")


class VersionQuery(In):
    version: int | None = Field(None, ge=1, le=10_000, description="Type version; default "
                                "the newest.")


class NodeSummary(Out):
    type: str
    version: int
    versions: list[int]
    title: str
    description: str
    category: str
    icon: str
    trigger: str | None = None
    package: str


class NodeList(Out):
    items: list[NodeSummary]
    total: int


class NodeOut(NodeSummary):
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    credentials: list[dict[str, Any]]
    params_schema: dict[str, Any] = Field(description="JSON Schema of the parameters.")
    docs: str


def _summary(spec: Any) -> dict[str, Any]:
    return {"type": spec.type, "version": spec.version,
            "versions": get_catalog().versions(spec.type), "title": spec.title,
            "description": spec.description, "category": spec.category, "icon": spec.icon,
            "trigger": spec.trigger, "package": spec.package}


@router.get("/nodes", action="workflow:read", summary="List node types", query=NodeQuery,
            response=NodeList)
def list_nodes(call: Call) -> dict[str, Any]:
    """Installed node types (the newest version of each unless ``all_versions``)."""
    q = call.query
    cat = get_catalog()
    specs = cat.all() if q.all_versions else cat.latest()
    needle = (q.search or "").lower()
    items = [_summary(s) for s in specs
             if (not q.category or s.category.lower() == q.category.lower())
             and (q.trigger is None or bool(s.trigger) == q.trigger)
             and (not needle or needle in f"{s.type} {s.title} {s.description}".lower())]
    return {"items": items, "total": len(items)}


@router.get("/nodes/{type}", action="workflow:read", summary="Describe a node type",
            query=VersionQuery, response=NodeOut, errors=(404,))
def get_node(call: Call) -> dict[str, Any]:
    """Ports, credential slots, parameter JSON Schema and documentation of a node type
    (aliases such as n8n type names are accepted)."""
    try:
        spec = get_catalog().get(call.path["type"], call.query.version)
    except UnknownNodeType as exc:
        raise NotFoundError(exc.message, details=exc.details) from None
    return {**spec.to_dict(), **_summary(spec), "docs": spec.docs}
