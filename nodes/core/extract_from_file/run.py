"""Extract From File: one reader per format, each returning the JSON of the output items."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.csv.run import _rows
from nodes.core.csv.spec import CsvParams
from nodes.core.extract_from_file.spec import ExtractFromFileParams

Reader = Callable[[ExtractFromFileParams, bytes, int], list[dict[str, Any]]]


def _text(p: ExtractFromFileParams, raw: bytes, i: int) -> str:
    try:
        return raw.decode(p.encoding or "utf-8").removeprefix("\ufeff")
    except (LookupError, UnicodeDecodeError) as exc:
        raise NodeExecutionError(
            f"Item {i}: the file is not {p.encoding} text ({exc}); set 'Encoding' (e.g. 'latin-1')."
        ) from None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def _csv(p: ExtractFromFileParams, raw: bytes, i: int) -> list[dict[str, Any]]:
    opts = CsvParams(delimiter=p.delimiter, header_row=p.header_row)
    return list(_rows(opts, _text(p, raw, i), i))


def _xlsx(p: ExtractFromFileParams, raw: bytes, i: int) -> list[dict[str, Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise NodeExecutionError(
            f"Item {i}: the file is not an Excel workbook (.xlsx): {exc}."
        ) from None
    try:
        if p.sheet and p.sheet not in book.sheetnames:
            raise NodeExecutionError(
                f"Item {i}: the workbook has no sheet '{p.sheet}' (it has: "
                f"{', '.join(book.sheetnames)})."
            )
        rows = (
            book[p.sheet].iter_rows(values_only=True)
            if p.sheet
            else book.worksheets[0].iter_rows(values_only=True)
        )
        out: list[dict[str, Any]] = []
        names: list[str] | None = None
        for row in rows:
            if all(v is None for v in row):
                continue
            if names is None and p.header_row:
                names = [str(v) if v is not None else f"column_{n + 1}" for n, v in enumerate(row)]
                continue
            cols = names or []
            cols = cols + [f"column_{n + 1}" for n in range(len(cols), len(row))]
            out.append({c: _plain(row[n]) if n < len(row) else None for n, c in enumerate(cols)})
        return out
    finally:
        book.close()


def _pdf(p: ExtractFromFileParams, raw: bytes, i: int) -> list[dict[str, Any]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = reader.pages if not p.max_pages else reader.pages[: p.max_pages]
        text = "\n\n".join((page.extract_text() or "").strip() for page in pages)
        meta: dict[str, Any] = dict(reader.metadata or {})
        info = {str(k).lstrip("/"): str(v) for k, v in meta.items()}
        count = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise NodeExecutionError(f"Item {i}: the file is not a readable PDF: {exc}.") from None
    return [{p.output_field or "data": text, "pages": count, "info": info}]


def _json(p: ExtractFromFileParams, raw: bytes, i: int) -> list[dict[str, Any]]:
    try:
        value = json.loads(_text(p, raw, i))
    except json.JSONDecodeError as exc:
        raise NodeExecutionError(
            f"Item {i}: the file is not valid JSON: {exc.msg} at line "
            f"{exc.lineno} column {exc.colno}."
        ) from None
    if isinstance(value, list):
        return [v if isinstance(v, dict) else {p.output_field or "data": v} for v in value]
    return [{p.output_field or "data": value}]


def _whole_text(p: ExtractFromFileParams, raw: bytes, i: int) -> list[dict[str, Any]]:
    text = _text(p, raw, i)
    key = p.output_field or "data"
    if p.format == "text" and p.split_lines:
        return [{key: line} for line in text.splitlines() if line.strip()]
    return [{key: text}]


def _ics(p: ExtractFromFileParams, raw: bytes, i: int) -> list[dict[str, Any]]:
    from icalendar import Calendar

    try:
        cal = Calendar.from_ical(raw)
    except ValueError as exc:
        raise NodeExecutionError(
            f"Item {i}: the file is not an iCalendar (.ics) file: {exc}."
        ) from None
    out: list[dict[str, Any]] = []
    for event in cal.walk("VEVENT"):
        start, end = event.get("dtstart"), event.get("dtend")
        first = start.dt if start is not None else None
        out.append(
            {
                "uid": str(event.get("uid", "")),
                "summary": str(event.get("summary", "")),
                "description": str(event.get("description", "")),
                "location": str(event.get("location", "")),
                "start": _plain(first),
                "end": _plain(end.dt) if end is not None else None,
                "all_day": first is not None and not isinstance(first, datetime.datetime),
                "organizer": str(event.get("organizer", "")) or None,
                "status": str(event.get("status", "")) or None,
            }
        )
    return out


READERS: dict[str, Reader] = {
    "csv": _csv,
    "xlsx": _xlsx,
    "pdf": _pdf,
    "json": _json,
    "html": _whole_text,
    "text": _whole_text,
    "ics": _ics,
}


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Reads each item's file into one or more items (lineage to that item)."""

    def one(item: Item, i: int) -> list[Item]:
        p = ctx.params(i)
        assert isinstance(p, ExtractFromFileParams)
        binary = (item.binary or {}).get(p.binary_property)
        if binary is None:
            have = ", ".join(item.binary or {}) or "none"
            raise NodeExecutionError(
                f"Item {i} has no file in binary property "
                f"'{p.binary_property}' (it has: {have}). Check "
                "'Binary property'."
            )
        rows = READERS[p.format](p, binary.content(), i)
        return [item.derive(row, index=i, keep_binary=False) for row in rows]

    return ctx.map(one)
