"""XML: xmltodict over each item. Entities are not expanded (no external or recursive
entities: ``disable_entities``) and expat limits entity amplification."""

from __future__ import annotations

from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.json.run import _MISSING, get_field, set_field, source_value, write_field
from nodes.core.xml.spec import XmlParams


def _parse(p: XmlParams, item: Item, i: int) -> Item:
    raw = get_field(item.json, p.field)
    if raw is _MISSING:
        raise NodeExecutionError(f"Item {i} has no field '{p.field}'. Check 'Field'.")
    if not isinstance(raw, str):
        raise NodeExecutionError(
            f"Item {i}: field '{p.field}' holds {type(raw).__name__}, not XML text."
        )
    lists = set(p.always_list)
    try:
        value = xmltodict.parse(
            raw,
            attr_prefix=p.attribute_prefix,
            cdata_key=p.text_key,
            disable_entities=True,
            force_list=(lambda path, key, value: key in lists) if lists else None,
        )
    except ExpatError as exc:
        raise NodeExecutionError(
            f"Item {i}: field '{p.field}' is not valid XML: {exc}.",
            details={"item_index": i, "line": exc.lineno},
        ) from None
    except ValueError as exc:  # entities refused
        raise NodeExecutionError(f"Item {i}: field '{p.field}' was refused: {exc}.") from None
    return write_field(item, i, p.field, p.output_field, "", value, keep_source=True)


def _build(p: XmlParams, item: Item, i: int) -> Item:
    value: Any = source_value(item, p.field, i)
    if not isinstance(value, dict) or len(value) != 1:
        keys = ", ".join(list(value)[:5]) if isinstance(value, dict) else type(value).__name__
        raise NodeExecutionError(
            f"Item {i}: XML needs one root element, so the data must be an object with one "
            f"key (the root's name), like {{'order': {{...}}}}; it has: {keys or 'nothing'}."
        )
    try:
        text = xmltodict.unparse(
            value,
            pretty=p.pretty,
            full_document=p.declaration,
            attr_prefix=p.attribute_prefix,
            cdata_key=p.text_key,
        )
    except ValueError as exc:
        raise NodeExecutionError(f"Item {i}: the data cannot be written as XML: {exc}.") from None
    if not p.field:  # the whole item became the document: the text replaces it
        out: dict[str, Any] = {}
        set_field(out, p.output_field or "xml", text)
        return item.derive(out, index=i)
    return write_field(item, i, p.field, p.output_field, "xml", text)


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Parses or builds XML for every item."""

    def one(item: Item, i: int) -> Item:
        p = ctx.params(i)
        assert isinstance(p, XmlParams)
        return _parse(p, item, i) if p.operation == "parse" else _build(p, item, i)

    return ctx.map(one)
