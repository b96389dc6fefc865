"""HTML: CSS selectors over each item's HTML with selectolax (Lexbor), or a table of items."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.html.spec import Extraction, HtmlParams
from nodes.core.json.run import _MISSING, get_field, set_field

_SPACES = re.compile(r"\s+")


def _value(node: Any, ex: Extraction, p: HtmlParams) -> Any:
    if ex.return_value == "html":
        return node.inner_html
    if ex.return_value == "attribute":
        return node.attributes.get(ex.attribute)
    if ex.return_value == "value":
        value = node.attributes.get("value")
        if value is None and node.tag in ("textarea", "select"):
            chosen = node.css_first("option[selected]") if node.tag == "select" else None
            value = chosen.attributes.get("value") if chosen else node.text()
        return value
    text = node.text(deep=True)
    if p.clean_text:
        text = _SPACES.sub(" ", text)
    return text.strip() if p.trim else text


def _extract(p: HtmlParams, item: Item, i: int) -> Item:
    raw = get_field(item.json, p.field)
    if raw is _MISSING or not isinstance(raw, str):
        what = "has no field" if raw is _MISSING else "has no HTML text in field"
        raise NodeExecutionError(
            f"Item {i} {what} '{p.field}'. Check 'Field' (an HTTP "
            "Request node puts the page in 'data')."
        )
    if not p.extractions:
        raise NodeExecutionError("Add at least one value to extract (a key and a CSS selector).")
    tree = LexborHTMLParser(raw)
    out: dict[str, Any] = dict(item.json) if p.keep_source else {}
    for ex in p.extractions:
        try:
            nodes = tree.css(ex.selector)
        except SelectolaxError:
            raise NodeExecutionError(
                f"'{ex.selector}' (for '{ex.key}') is not a valid CSS selector."
            ) from None
        values = [_value(n, ex, p) for n in nodes]
        set_field(out, ex.key, values if ex.return_array else (values[0] if values else None))
    return item.derive(out, index=i)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return html.escape(text)


def _table(p: HtmlParams, items: list[Item]) -> dict[str, list[Item]]:
    columns = list(p.columns) or list(dict.fromkeys(k for it in items for k in it.json))
    cls = f' class="{html.escape(p.table_class)}"' if p.table_class else ""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(it.json.get(c))}</td>" for c in columns) + "</tr>"
        for it in items
    )
    table = f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    out: dict[str, Any] = {}
    set_field(out, p.output_field or "table", table)
    return {"main": [Item(json=out)]}


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Extracts per item, or builds one table item from all items."""
    items = ctx.items
    first = ctx.params(0)
    assert isinstance(first, HtmlParams)
    if first.operation == "table":
        return _table(first, items) if items else {"main": []}

    def one(item: Item, i: int) -> Item:
        p = ctx.params(i)
        assert isinstance(p, HtmlParams)
        return _extract(p, item, i)

    return ctx.map(one)
