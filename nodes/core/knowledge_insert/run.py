"""Knowledge: Add Documents — one document per item, added in one batch through
``ctx.knowledge`` (as the execution's principal); each item comes out with its result."""

from __future__ import annotations

from typing import Any

from engine.errors import NodeExecutionError
from engine.sdk import Item, NodeContext
from nodes.core.knowledge_insert.spec import KnowledgeInsertParams


def _document(item: Item, p: KnowledgeInsertParams, index: int) -> dict[str, Any]:
    if p.binary_property:
        b = (item.binary or {}).get(p.binary_property)
        if b is None:
            raise NodeExecutionError(
                f"Item {index} has no binary property '{p.binary_property}'. Check the "
                "property name, or leave it empty to add the text field."
            )
        name = str(item.json.get(p.name_field) or b.file_name or f"document-{index}")
        return {"name": name, "data": b.content(), "content_type": b.mime_type}
    text = item.json.get(p.text_field)
    if not isinstance(text, str):
        raise NodeExecutionError(
            f"Item {index} has no text in field '{p.text_field}'. Set 'Text field' to the "
            "field holding the document."
        )
    name = str(item.json.get(p.name_field) or f"document-{index}")
    meta = {
        k: v
        for k, v in item.json.items()
        if k not in (p.text_field, p.name_field) and isinstance(v, str | int | float | bool)
    }
    return {"name": name, "text": text, "meta": meta}


def execute(ctx: NodeContext) -> list[Item]:
    """Adds the items' documents; outputs ``{name, status, chunks[, error]}`` per item."""
    items = ctx.input("main")
    if not items:
        return []
    p = ctx.params(0)
    assert isinstance(p, KnowledgeInsertParams)
    docs = [_document(item, p, i) for i, item in enumerate(items)]
    results = ctx.knowledge.add_documents(p.knowledge_base, docs)
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        ctx.log.warning("%d of %d documents could not be added", len(failed), len(results))
    return [
        item.derive(dict(r), index=i, keep_binary=False)
        for i, (item, r) in enumerate(zip(items, results, strict=True))
    ]
