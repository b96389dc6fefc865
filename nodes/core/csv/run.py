"""CSV: parse CSV into items, or build one CSV from all items (stdlib ``csv``)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from engine.sdk import Binary, Item, NodeContext, NodeExecutionError, PairedItem
from nodes.core.csv.spec import CsvParams

_NUMBER = re.compile(r"^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$|^[+-]?0?\.\d+$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _char(value: str, what: str) -> str:
    v = {"tab": "\t", "\\t": "\t", "\\n": "\n", "space": " "}.get(value.lower(), value)
    if len(v) != 1:
        raise NodeExecutionError(f"'{what}' must be one character (or 'tab'); got {value!r}.")
    return v


def _text_of(p: CsvParams, item: Item, i: int) -> str:
    if p.source == "binary":
        binary = (item.binary or {}).get(p.binary_property)
        if binary is None:
            have = ", ".join(sorted(item.binary or {})) or "none"
            raise NodeExecutionError(
                f"Item {i} has no binary property '{p.binary_property}' (it has: {have}). "
                "Set 'Binary property', or read from a field instead."
            )
        enc = (
            "utf-8-sig" if p.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else p.encoding
        )
        try:
            return binary.content().decode(enc)
        except LookupError:
            raise NodeExecutionError(
                f"Unknown encoding {p.encoding!r}; try 'utf-8', 'latin-1' or 'cp1252'."
            ) from None
        except UnicodeDecodeError as exc:
            raise NodeExecutionError(
                f"Item {i}: the file is not valid {p.encoding} ({exc.reason} at byte "
                f"{exc.start}). Set 'Encoding' to the file's encoding, e.g. 'latin-1' or "
                "'cp1252'."
            ) from None
    value = item.json.get(p.field)
    if value is None:
        have = ", ".join(list(item.json)[:10]) or "no fields"
        raise NodeExecutionError(
            f"Item {i} has no field '{p.field}' with CSV text (it has: {have}). Set "
            "'Field', or read from binary data."
        )
    if not isinstance(value, str):
        raise NodeExecutionError(
            f"Item {i}: field '{p.field}' holds {type(value).__name__}, not CSV text."
        )
    return value.removeprefix("\ufeff")


def _convert(value: str, p: CsvParams) -> Any:
    if p.trim:
        value = value.strip()
    if value == "":
        return None if p.empty_as_null else ""
    if p.auto_type and _NUMBER.match(value.strip()):
        v = value.strip()
        return int(v) if re.fullmatch(r"[+-]?\d+", v) else float(v)
    return value


def _names(header: list[str]) -> list[str]:
    """Column names with blanks filled in and duplicates numbered (id, id_2)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(header, start=1):
        name = raw.strip() or f"column_{n}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _rows(p: CsvParams, text: str, i: int) -> Iterator[dict[str, Any]]:
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=_char(p.delimiter, "Delimiter"),
        quotechar=_char(p.quote_char, "Quote char"),
        strict=False,
    )
    header: list[str] | None = list(p.column_names) or None
    need_header = p.header_row
    count = 0
    try:
        for line_no, row in enumerate(reader, start=1):
            if line_no <= p.skip_rows:
                continue
            if p.skip_empty_lines and (not row or all(not c.strip() for c in row)):
                continue
            if need_header:
                need_header = False
                if header is None:
                    header = _names(row)
                continue
            names = header or []
            if len(row) > len(names):
                names = names + [f"column_{n}" for n in range(len(names) + 1, len(row) + 1)]
            yield {
                name: _convert(row[k] if k < len(row) else "", p) for k, name in enumerate(names)
            }
            count += 1
            if p.max_rows and count >= p.max_rows:
                return
    except csv.Error as exc:
        raise NodeExecutionError(
            f"Item {i}: the CSV is malformed near line {reader.line_num}: {exc}."
        ) from None


def _parse(ctx: NodeContext) -> dict[str, list[Item]]:
    def one(item: Item, i: int) -> list[Item] | Item:
        p = ctx.params(i)
        assert isinstance(p, CsvParams)
        rows = list(_rows(p, _text_of(p, item, i), i))
        if p.output_mode == "list":
            return item.derive({**item.json, p.output_field: rows}, index=i, keep_binary=False)
        return [Item(json=r) for r in rows]

    return ctx.map(one)


def _cell(value: Any, escape: bool) -> str:
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    if escape and text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def _build(ctx: NodeContext) -> list[Item]:
    items = ctx.input("main")
    if not items:
        return []
    p = ctx.params(0)
    assert isinstance(p, CsvParams)
    columns = list(p.column_names)
    if not columns:
        seen: dict[str, None] = {}
        for it in items:
            for key in it.json:
                seen.setdefault(key, None)
        columns = list(seen)
    buf = io.StringIO(newline="")
    writer = csv.writer(
        buf,
        delimiter=_char(p.delimiter, "Delimiter"),
        quotechar=_char(p.quote_char, "Quote char"),
        lineterminator=p.line_terminator,
        quoting=csv.QUOTE_MINIMAL,
    )
    if p.header_row:
        writer.writerow(columns)
    for it in items:
        ctx.check_cancelled()
        writer.writerow([_cell(it.json.get(c), p.escape_formulas) for c in columns])
    text = buf.getvalue()
    lineage = [PairedItem(k) for k in range(len(items))]
    if p.destination == "field":
        return [Item(json={p.field: text}, paired_item=lineage)]
    raw = text.encode(p.encoding if p.encoding else "utf-8", errors="replace")
    binary = Binary.from_bytes(raw, "text/csv", p.file_name or "data.csv")
    return [
        Item(
            json={"file_name": binary.file_name, "rows": len(items), "columns": columns},
            binary={p.binary_property: binary},
            paired_item=lineage,
        )
    ]


def execute(ctx: NodeContext) -> dict[str, list[Item]] | list[Item]:
    """Parses each item's CSV into rows, or builds one CSV from all items."""
    if not ctx.input("main"):
        return []
    first = ctx.params(0)
    assert isinstance(first, CsvParams)
    return _parse(ctx) if first.operation == "parse" else _build(ctx)
