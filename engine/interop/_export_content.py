"""AURA content and I/O node parameters → n8n parameters: Code (JavaScript), HTML,
Extract From / Convert To File, SQL and Send Email (the rest is in
:mod:`engine.interop._export_nodes`, which registers these too)."""

from __future__ import annotations

import json
import re
from typing import Any

from engine.interop._export_values import opt as _opt
from engine.interop._export_values import to_n8n_value

__all__ = ["code_js_params", "convert", "email", "extract", "html", "sql"]

_x = to_n8n_value


def code_js_params(p: dict[str, Any]) -> dict[str, Any]:
    """n8n Code node parameters of an n8n-style ``core.code_js``."""
    return {
        "jsCode": p.get("code", ""),
        "mode": "runOnceForEachItem" if p.get("mode") == "each_item" else "runOnceForAllItems",
    }


_RETURN_BACK = {"text": "text", "html": "html", "attribute": "attribute", "value": "value"}


def html(p: dict[str, Any]) -> dict[str, Any]:
    if p.get("operation") == "table":
        return {"operation": "convertToHtmlTable", "options": {}}
    return {
        "operation": "extractHtmlContent",
        "dataPropertyName": p.get("field", "data"),
        "extractionValues": {
            "values": [
                {
                    "key": e.get("key", ""),
                    "cssSelector": _x(e.get("selector", "")),
                    "returnValue": _RETURN_BACK[e.get("return_value", "text")],
                    "attribute": e.get("attribute", ""),
                    "returnArray": e.get("return_array", False),
                }
                for e in p.get("extractions") or []
            ]
        },
        "options": {"trimValues": p.get("trim", True), "cleanUpText": p.get("clean_text", False)},
    }


_EXTRACT_BACK = {
    "csv": "csv",
    "xlsx": "xlsx",
    "pdf": "pdf",
    "json": "fromJson",
    "html": "html",
    "ics": "fromIcs",
    "text": "text",
}
_CONVERT_BACK = {
    "csv": "csv",
    "xlsx": "xlsx",
    "json": "toJson",
    "html": "html",
    "text": "toText",
    "base64": "toBinary",
}


def extract(p: dict[str, Any]) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    _opt(opts, p, "header_row", "headerRow")
    _opt(opts, p, "sheet", "sheetName")
    _opt(opts, p, "encoding", "encoding")
    _opt(opts, p, "max_pages", "maxPages")
    return {
        "operation": _EXTRACT_BACK[p.get("format", "csv")],
        "binaryPropertyName": p.get("binary_property", "data"),
        "destinationKey": p.get("output_field", "data"),
        "options": opts,
    }


def convert(p: dict[str, Any]) -> dict[str, Any]:
    fmt = p.get("format", "csv")
    out: dict[str, Any] = {
        "operation": _CONVERT_BACK[fmt],
        "binaryPropertyName": p.get("binary_property", "data"),
    }
    if fmt in ("text", "base64"):
        out["sourceProperty"] = p.get("source_field", "data")
    if fmt == "json":
        out["mode"] = "each" if p.get("json_mode") == "each_item" else "once"
    opts: dict[str, Any] = {}
    _opt(opts, p, "file_name", "fileName")
    _opt(opts, p, "delimiter", "delimiter")
    _opt(opts, p, "sheet_name", "sheetName")
    _opt(opts, p, "mime_type", "mimeType")
    out["options"] = opts
    return out


def sql(p: dict[str, Any]) -> dict[str, Any]:
    """n8n pastes values into the SQL text: each ``$n`` becomes its ``{{ }}`` again."""
    params = list(p.get("parameters") or [])

    def back(m: re.Match[str]) -> str:
        i = int(m.group(1)) - 1
        value = params[i] if 0 <= i < len(params) else m.group(0)
        if isinstance(value, str) and value.startswith("{{") and value.endswith("}}"):
            return value
        return json.dumps(value) if not isinstance(value, str) else f"'{value}'"

    query = re.sub(r"\$(\d+)", back, str(p.get("query", "")))
    return {
        "operation": "executeQuery",
        "query": ("=" + query) if "{{" in query else query,
        "options": {},
    }


def email(p: dict[str, Any]) -> dict[str, Any]:
    fmt = "both" if p.get("text") and p.get("html") else ("text" if p.get("text") else "html")
    out: dict[str, Any] = {
        "fromEmail": _x(p.get("from_email", "")),
        "toEmail": _x(p.get("to_email", "")),
        "subject": _x(p.get("subject", "")),
        "emailFormat": fmt,
        "options": {},
    }
    if "text" in p:
        out["text"] = _x(p["text"])
    if "html" in p:
        out["html"] = _x(p["html"])
    for src, dst in (
        ("cc", "ccEmail"),
        ("bcc", "bccEmail"),
        ("reply_to", "replyTo"),
        ("attachments", "attachments"),
    ):
        if p.get(src):
            out["options"][dst] = _x(p[src])
    return out
