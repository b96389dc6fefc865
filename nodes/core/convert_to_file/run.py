"""Convert To File: writers for all items at once (csv, xlsx, html, json) or per item."""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from typing import Any

from engine.sdk import Binary, Item, NodeContext, NodeExecutionError, PairedItem
from nodes.core.convert_to_file.spec import ConvertToFileParams
from nodes.core.csv.run import _cell
from nodes.core.html.run import _table
from nodes.core.html.spec import HtmlParams
from nodes.core.json.run import _MISSING, get_field

_MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "html": "text/html",
    "text": "text/plain",
    "base64": "application/octet-stream",
}


def _columns(p: ConvertToFileParams, items: list[Item]) -> list[str]:
    return list(p.columns) or list(dict.fromkeys(k for it in items for k in it.json))


def _csv(p: ConvertToFileParams, items: list[Item]) -> bytes:
    cols = _columns(p, items)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=p.delimiter or ",", lineterminator="\n")
    writer.writerow(cols)
    for it in items:
        writer.writerow([_cell(it.json.get(c), True) for c in cols])
    return buf.getvalue().encode()


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # no formulas from data


def _xlsx(p: ConvertToFileParams, items: list[Item]) -> bytes:
    from openpyxl import Workbook

    cols = _columns(p, items)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(p.sheet_name or "Sheet1")
    sheet.append(cols)
    for it in items:
        sheet.append([_xlsx_value(it.json.get(c)) for c in cols])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _html(p: ConvertToFileParams, items: list[Item]) -> bytes:
    table = _table(HtmlParams(operation="table", columns=p.columns), items)["main"][0]
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>'
        f"{table.json['table']}</body></html>\n"
    ).encode()


def _file(
    p: ConvertToFileParams, raw: bytes, json_: dict[str, Any], lineage: list[PairedItem]
) -> Item:
    name = (
        p.file_name
        or f"data.{'txt' if p.format == 'text' else 'bin' if p.format == 'base64' else p.format}"
    )
    binary = Binary.from_bytes(raw, p.mime_type or _MIME[p.format], name)
    return Item(json=json_, binary={p.binary_property or "data": binary}, paired_item=lineage)


def _field(p: ConvertToFileParams, item: Item, i: int) -> Any:
    value = get_field(item.json, p.source_field)
    if value is _MISSING:
        raise NodeExecutionError(f"Item {i} has no field '{p.source_field}'. Check 'Source field'.")
    return value


def _each(p: ConvertToFileParams, item: Item, i: int) -> Item:
    if p.format == "json":
        raw = json.dumps(item.json, ensure_ascii=False, indent=2).encode()
    elif p.format == "text":
        value = _field(p, item, i)
        raw = (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)).encode()
    else:
        value = _field(p, item, i)
        try:
            raw = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            raise NodeExecutionError(
                f"Item {i}: field '{p.source_field}' is not base64 text."
            ) from None
    return _file(p, raw, dict(item.json), [PairedItem(i)])


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """One file for all items (csv, xlsx, html, json all_items), or one per item."""
    items = ctx.items
    p = ctx.params(0)
    assert isinstance(p, ConvertToFileParams)
    if p.format in ("text", "base64") or (p.format == "json" and p.json_mode == "each_item"):

        def one(item: Item, i: int) -> Item:
            q = ctx.params(i)
            assert isinstance(q, ConvertToFileParams)
            return _each(q, item, i)

        return ctx.map(one)
    if not items:
        return {"main": []}
    if p.format == "json":
        raw = json.dumps([it.json for it in items], ensure_ascii=False, indent=2).encode()
    else:
        raw = {"csv": _csv, "xlsx": _xlsx, "html": _html}[p.format](p, items)
    lineage = [PairedItem(k) for k in range(min(len(items), 1000))]
    return {
        "main": [
            _file(
                p,
                raw,
                {"file_name": p.file_name or f"data.{p.format}", "items": len(items)},
                lineage,
            )
        ]
    }
