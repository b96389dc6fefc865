"""Document loaders: bytes or text of a known type in, plain text out.

Types: plain text, Markdown (kept as written: its headings guide the chunker), HTML (the
main text: scripts, styles, navigation, headers, footers and asides removed; headings
become Markdown headings), PDF (pypdf, page by page), DOCX (python-docx: paragraphs, heading
styles as Markdown headings, tables as lines of cells) and records — CSV and JSON, where
each row (or object of an array) is a record of its own: its text is ``field: value``
lines and its scalar fields are the record's metadata, to filter searches by.
:func:`load` picks the loader from the content type or the name's extension.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from engine.errors import ValidationError

__all__ = ["TYPES", "Loaded", "Record", "detect_type", "load"]

TYPES = {
    "text/plain": (".txt", ".text", ".log", ".rst"),
    "text/markdown": (".md", ".markdown"),
    "text/html": (".html", ".htm"),
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "text/csv": (".csv",),
    "application/json": (".json", ".jsonl", ".ndjson"),
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_RECORDS = 100_000
_DROP = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form", "svg")
_BLOCKS = ("p", "li", "pre", "blockquote", "tr", "dd", "dt", "div", "section", "article")


@dataclass
class Loaded:
    """A document's text, its content type and what the loader learnt (title, pages)."""

    text: str
    content_type: str
    meta: dict[str, Any] = field(default_factory=dict)
    records: list[Record] | None = None
    """CSV and JSON: one entry per row, each chunked and found on its own."""


@dataclass
class Record:
    """A row of a CSV or JSON document: its text and its scalar fields."""

    text: str
    meta: dict[str, Any]


def detect_type(name: str, content_type: str | None = None) -> str:
    """The content type to load ``name`` as.

    Raises:
        ValidationError: neither the type nor the extension is one AURA can read.
    """
    if content_type:
        base = content_type.split(";", 1)[0].strip().lower()
        if base in TYPES:
            return base
    lower = name.lower()
    for ctype, exts in TYPES.items():
        if lower.endswith(exts):
            return ctype
    if content_type and content_type.startswith("text/"):
        return "text/plain"
    known = ", ".join(e for exts in TYPES.values() for e in exts)
    raise ValidationError(
        f"Cannot read {name!r}: unknown document type {content_type or 'from its name'}. "
        f"Add text, Markdown, HTML, PDF, DOCX, CSV or JSON documents ({known}).",
        details={"document": name, "content_type": content_type},
    )


def _decode(data: bytes | str, name: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            f"{name!r} is not UTF-8 text; save it as UTF-8 and add it again.",
            details={"document": name},
        ) from None


def _html(data: bytes | str, name: str) -> Loaded:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_decode(data, name))
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for tag in _DROP:
        for node in tree.css(tag):
            node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    parts: list[str] = []
    if root is not None:
        for node in root.traverse(include_text=False):
            tag = node.tag or ""
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                parts.append("#" * int(tag[1]) + " " + node.text(strip=True))
            elif tag in _BLOCKS and not any(
                c.tag in _BLOCKS for c in node.iter(include_text=False)
            ):
                t = " ".join(node.text(separator=" ").split())
                if t:
                    parts.append(t)
    return Loaded(
        "\n\n".join(p for p in parts if p.strip()), "text/html", {"title": title} if title else {}
    )


def _pdf(data: bytes | str, name: str) -> Loaded:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise ValidationError("Reading PDF needs the 'pypdf' package: pip install pypdf.") from None
    raw = data.encode() if isinstance(data, str) else data
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise ValidationError(
                f"{name!r} is an encrypted PDF; add an unencrypted copy.",
                details={"document": name},
            )
        pages = [(p.extract_text() or "").strip() for p in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ValidationError(
            f"{name!r} is not a readable PDF ({exc}).", details={"document": name}
        ) from None
    return Loaded("\n\n".join(p for p in pages if p), "application/pdf", {"pages": len(pages)})


def _docx(data: bytes | str, name: str) -> Loaded:
    from zipfile import BadZipFile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    raw = data.encode() if isinstance(data, str) else data
    try:
        doc = Document(io.BytesIO(raw))
    except (PackageNotFoundError, BadZipFile, ValueError, KeyError, OSError) as exc:
        raise ValidationError(
            f"{name!r} is not a readable Word document (.docx) ({exc}); save it again as "
            ".docx (Word 2007 or later) and add it again.", details={"document": name}
        ) from None
    parts: list[str] = []
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):  # a table: a line per row, cells joined
            for row in block.rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                if any(cells):
                    parts.append(" | ".join(cells))
            continue
        text = " ".join(block.text.split())
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        level = style.removeprefix("Heading ").strip()
        if style == "Title":
            parts.append("# " + text)
        elif style.startswith("Heading ") and level.isdigit():
            parts.append("#" * min(int(level), 6) + " " + text)
        else:
            parts.append(text)
    title = doc.core_properties.title or ""
    return Loaded("\n\n".join(parts), DOCX, {"title": title} if title else {})


def _scalar_meta(row: dict[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in row.items()
            if k not in (None, "") and isinstance(v, str | int | float | bool) and v != ""}


def _as_record(row: dict[str, Any]) -> Record:
    lines = []
    for k, v in row.items():
        if k in (None, "") or v in (None, ""):
            continue
        shown = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
        lines.append(f"{k}: {shown}")
    return Record("\n".join(lines), _scalar_meta(row))


def _records(rows: list[dict[str, Any]], ctype: str, name: str) -> Loaded:
    if len(rows) > MAX_RECORDS:
        raise ValidationError(
            f"{name!r} has {len(rows):,} records; AURA adds at most {MAX_RECORDS:,} from one "
            "document. Split it into smaller files.", details={"document": name})
    records = [r for r in (_as_record(row) for row in rows) if r.text]
    return Loaded("\n\n".join(r.text for r in records), ctype, {"records": len(records)},
                  records)


def _csv(data: bytes | str, name: str) -> Loaded:
    text = _decode(data, name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    except csv.Error as exc:
        raise ValidationError(f"{name!r} is not readable CSV ({exc}).",
                              details={"document": name}) from None
    return _records([dict(r) for r in rows], "text/csv", name)


def _json(data: bytes | str, name: str) -> Loaded:
    text = _decode(data, name)
    try:
        if name.lower().endswith((".jsonl", ".ndjson")):
            value: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{name!r} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            details={"document": name, "line": exc.lineno, "column": exc.colno}) from None
    if isinstance(value, dict):  # one object, or an envelope around the rows
        lists = [v for v in value.values() if isinstance(v, list) and v
                 and all(isinstance(x, dict) for x in v)]
        value = lists[0] if len(lists) == 1 else [value]
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise ValidationError(
            f"{name!r}: AURA reads JSON as records, so give an array of objects (or one "
            "object); each object becomes a searchable record.", details={"document": name})
    return _records(value, "application/json", name)


def load(name: str, data: bytes | str, content_type: str | None = None) -> Loaded:
    """The text of document ``name``.

    Raises:
        ValidationError: unknown type, unreadable file, or no text at all.
    """
    ctype = detect_type(name, content_type)
    if ctype == "text/html":
        loaded = _html(data, name)
    elif ctype == "application/pdf":
        loaded = _pdf(data, name)
    elif ctype == DOCX:
        loaded = _docx(data, name)
    elif ctype == "text/csv":
        loaded = _csv(data, name)
    elif ctype == "application/json":
        loaded = _json(data, name)
    else:
        loaded = Loaded(_decode(data, name), ctype)
    if not loaded.text.strip():
        raise ValidationError(
            f"{name!r} has no text to add (it is empty, or a scanned PDF without a text layer).",
            details={"document": name},
        )
    return loaded
