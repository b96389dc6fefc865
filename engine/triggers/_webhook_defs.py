"""Webhook definitions (private to :mod:`engine.triggers.webhooks`): which nodes of a
workflow are webhook triggers, their validated parameters, the methods and paths they
claim, and the default path of a node left without one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from engine.errors import AuraError, ConflictError
from engine.graph import NodeDef, Workflow, load_workflow, validate
from engine.sdk import get_catalog
from engine.store.current import get_store

__all__ = ["ANY_METHODS", "assign_paths", "claims", "default_path", "node_params",
           "prepared", "webhook_nodes"]

ANY_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
"""What ``http_method: ANY`` registers (OPTIONS stays with CORS preflights)."""


def webhook_nodes(wf: Workflow) -> list[NodeDef]:
    """The enabled nodes of ``wf`` whose type is a webhook trigger."""
    return _triggers(wf, ("webhook",))


def _triggers(wf: Workflow, kinds: tuple[str, ...]) -> list[NodeDef]:
    cat = get_catalog()
    out = []
    for n in wf.nodes:
        try:
            spec = cat.get(n.type, n.type_version)
        except AuraError:
            continue
        if spec.trigger in kinds and not n.disabled:
            out.append(n)
    return out


LISTENING = ("webhook", "schedule", "poll")
"""Trigger kinds that act only while their workflow is active."""


def listening_triggers(wf: Workflow) -> list[NodeDef]:
    """The enabled trigger nodes of ``wf`` that activation turns on (webhooks, schedules,
    polls); manual, sub-workflow and error triggers work whether active or not."""
    return _triggers(wf, LISTENING)


def default_path(node: NodeDef) -> str:
    """The path of a node left without one: ``<node id>/<slug of its name>``."""
    slug = re.sub(r"[^a-z0-9]+", "-", node.name.lower()).strip("-") or "webhook"
    return f"{node.id}/{slug}"


def prepared(definition: Mapping[str, Any], workflow_id: str) -> Workflow:
    """The workflow of a stored definition, validated."""
    wf = load_workflow(dict(definition))
    wf.id = workflow_id
    validate(wf, get_catalog()).raise_for_errors()
    return wf


def assign_paths(workflow_id: str) -> bool:
    """Gives each Webhook node of the draft left without a path its default path
    (:func:`default_path`), saved as a new version. Returns whether it saved one."""
    store = get_store()
    wf = load_workflow(store.workflows.definition(workflow_id))
    empty = [n for n in webhook_nodes(wf) if not str(n.parameters.get("path") or "").strip()]
    for n in empty:
        n.parameters = {**n.parameters, "path": default_path(n)}
    if empty:
        store.workflows.save(workflow_id, wf, "Assigned webhook paths")
    return bool(empty)


def node_params(node: NodeDef) -> Any:
    spec = get_catalog().get(node.type, node.type_version)
    return spec.params.model_validate(node.parameters)


def claims(wf: Workflow) -> list[tuple[str, str, str]]:
    """(method, path, node) for every webhook node; refuses duplicates inside ``wf``."""
    out: dict[tuple[str, str], str] = {}
    for n in webhook_nodes(wf):
        p = node_params(n)
        for m in (ANY_METHODS if p.http_method == "ANY" else (p.http_method,)):
            key = (m, p.path.strip("/"))
            if key in out:
                raise ConflictError(f"Nodes '{out[key]}' and '{n.name}' both listen on {m} "
                                    f"/{key[1]}; give one of them another path or method.")
            out[key] = n.name
    return [(m, p, n) for (m, p), n in out.items()]
