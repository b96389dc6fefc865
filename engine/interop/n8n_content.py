"""n8n content nodes → AURA: Code (JavaScript and the legacy Function node), HTML,
Extract From File and Convert To File.

These map onto nodes AURA gained for imports (``core.code_js``, ``core.html``,
``core.extract_from_file``, ``core.convert_to_file``); where a format has no AURA
reader or writer the node becomes a placeholder counted as *not known*.
"""

from __future__ import annotations

import re
from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.expressions import ExpressionNote, translate_value

__all__ = [
    "map_code",
    "map_convert_to_file",
    "map_email_send",
    "map_extract_from_file",
    "map_function",
    "map_html",
    "map_sql",
]


def map_code(cx: MapContext) -> Mapped:
    if cx.get("language") in ("python", "pythonNative"):
        cx.note(
            "n8n Python code uses _input/_json; AURA's Code node gives `items` (all items "
            "mode) or `item`/`json` (each item): adapt the code"
        )
        mode = "each_item" if cx.get("mode") == "runOnceForEachItem" else "all_items"
        return Mapped("core.code", {"mode": mode, "code": cx.get("pythonCode", "")})
    mode = "each_item" if cx.get("mode") == "runOnceForEachItem" else "all_items"
    code = cx.get("jsCode", "")
    if not isinstance(code, str):
        raise Unmappable("the code is not text")
    return Mapped("core.code_js", {"style": "n8n", "mode": mode, "code": code})


def map_function(cx: MapContext) -> Mapped:
    """The legacy Function node: ``items`` in, items out (all items at once)."""
    code = cx.get("functionCode", "")
    if not isinstance(code, str):
        raise Unmappable("the code is not text")
    return Mapped("core.code_js", {"style": "n8n", "mode": "all_items", "code": code})


_RETURN = {"text": "text", "html": "html", "attribute": "attribute", "value": "value"}


def map_html(cx: MapContext) -> Mapped:
    op = cx.get(
        "operation", "generateHtmlTemplate" if float(cx.version) >= 1.2 else "extractHtmlContent"
    )
    if op == "generateHtmlTemplate":
        cx.info("the HTML template becomes a field 'html' set with AURA expressions")
        return Mapped(
            "core.set",
            {
                "assignments": [{"name": "html", "value": cx.x("html", ""), "type": "string"}],
                "keep": "none",
            },
        )
    if op == "convertToHtmlTable":
        return Mapped("core.html", {"operation": "table", "output_field": "table"})
    if op != "extractHtmlContent":
        raise Unmappable(f"HTML operation '{op}'")
    if cx.get("sourceData", "json") == "binary":
        raise Unmappable("HTML read from a file (extract the file's text first)")
    opts = cx.get("options") or {}
    extractions = []
    for i, v in enumerate(cx.get("extractionValues.values") or []):
        ret = v.get("returnValue", "text")
        if ret not in _RETURN:
            raise Unmappable(f"return value '{ret}'")
        extractions.append(
            {
                "key": str(v.get("key", "")).strip() or f"value{i}",
                "selector": cx.value(
                    v.get("cssSelector", ""), f"extractionValues.values[{i}].cssSelector"
                ),
                "return_value": _RETURN[ret],
                "attribute": v.get("attribute", ""),
                "return_array": bool(v.get("returnArray", False)),
            }
        )
    if opts.get("skipSelectors"):
        cx.note("'skip selectors' is not carried over")
    return Mapped(
        "core.html",
        {
            "operation": "extract",
            "field": cx.literal("dataPropertyName", "data") or "data",
            "extractions": extractions,
            "trim": bool(opts.get("trimValues", True)),
            "clean_text": bool(opts.get("cleanUpText", False)),
        },
    )


_EXTRACT = {
    "csv": "csv",
    "xlsx": "xlsx",
    "xls": "xlsx",
    "pdf": "pdf",
    "fromJson": "json",
    "html": "html",
    "fromIcs": "ics",
    "text": "text",
}


def map_extract_from_file(cx: MapContext) -> Mapped:
    op = cx.get("operation", "csv")
    opts = cx.get("options") or {}
    prop = cx.literal("binaryPropertyName", "data") or "data"
    if op == "csv":
        p: dict[str, Any] = {"operation": "parse", "source": "binary", "binary_property": prop}
        if opts.get("delimiter"):
            p["delimiter"] = opts["delimiter"]
        if "headerRow" in opts:
            p["header_row"] = bool(opts["headerRow"])
        return Mapped("core.csv", p)
    if op not in _EXTRACT:
        raise Unmappable(f"extract from file '{op}' (no AURA node reads it yet)", known=False)
    p = {"format": _EXTRACT[op], "binary_property": prop}
    dest = cx.literal("destinationKey", "data")
    if dest:
        p["output_field"] = dest
    if "headerRow" in opts:
        p["header_row"] = bool(opts["headerRow"])
    if opts.get("sheetName"):
        p["sheet"] = opts["sheetName"]
    if opts.get("encoding"):
        p["encoding"] = opts["encoding"]
    if isinstance(opts.get("maxPages"), int):
        p["max_pages"] = opts["maxPages"]
    if opts.get("password"):
        cx.note("password-protected PDFs are not read")
    return Mapped("core.extract_from_file", p)


_CONVERT = {
    "csv": "csv",
    "xlsx": "xlsx",
    "xls": "xlsx",
    "toJson": "json",
    "html": "html",
    "toText": "text",
    "toBinary": "base64",
}


def map_convert_to_file(cx: MapContext) -> Mapped:
    op = cx.get("operation", "csv")
    opts = cx.get("options") or {}
    if op not in _CONVERT:
        raise Unmappable(f"convert to file '{op}' (no AURA node writes it yet)", known=False)
    p: dict[str, Any] = {
        "format": _CONVERT[op],
        "binary_property": cx.literal("binaryPropertyName", "data") or "data",
    }
    if opts.get("fileName"):
        p["file_name"] = cx.value(opts["fileName"], "options.fileName")
    if op in ("toText", "toBinary"):
        p["source_field"] = cx.literal("sourceProperty", "data") or "data"
    if op == "toJson":
        p["json_mode"] = "each_item" if cx.get("mode") == "each" else "all_items"
    if opts.get("delimiter"):
        p["delimiter"] = opts["delimiter"]
    if opts.get("sheetName"):
        p["sheet_name"] = opts["sheetName"]
    if opts.get("mimeType"):
        p["mime_type"] = opts["mimeType"]
    return Mapped("core.convert_to_file", p)


_QUOTED = re.compile(r"""(['"])\{\{(.*?)\}\}\1|\{\{(.*?)\}\}""", re.S)
_IDENTIFIER_BEFORE = re.compile(
    r"(?i)\b(from|into|update|table|describe|join|exists|"
    r"truncate|on|by)\s*$"
)


def _parameterised(cx: MapContext) -> dict[str, Any]:
    """n8n pastes ``{{ }}`` values into SQL text; AURA sends them as ``$n`` parameters
    (no SQL injection). A value in an identifier's place cannot be a parameter."""
    query = cx.get("query", "")
    if not isinstance(query, str) or not query.strip():
        raise Unmappable("the query is empty")
    text = query[1:] if query.startswith("=") else query
    if _QUOTED.fullmatch(text.strip()):
        raise Unmappable(
            "the whole statement comes from the data (AURA runs fixed, "
            "parameterised statements only)"
        )
    params: list[Any] = []
    parts: list[ExpressionNote] = []

    def repl(m: re.Match[str]) -> str:
        if _IDENTIFIER_BEFORE.search(text[: m.start()]):
            raise Unmappable(
                "a value is pasted where a table or column name goes; SQL "
                "parameters can only carry values"
            )
        expr = m.group(2) if m.group(2) is not None else m.group(3)
        params.append(translate_value("={{" + expr + "}}", f"query[{len(params)}]", parts))
        return f"${len(params)}"

    sql = _QUOTED.sub(repl, text)
    if query.startswith("="):  # one n8n expression: the whole query
        bad = [n.note for n in parts if not n.ok]
        cx.expressions.append(ExpressionNote("query", query, None if bad else sql, "; ".join(bad)))
    if any(not n.ok for n in parts):
        raise Unmappable("a value in the SQL text cannot be translated")
    if params:
        cx.info(
            f"the {len(params)} value(s) pasted into the SQL text are sent as "
            "parameters $1, $2... instead"
        )
    return {"query": sql, "parameters": params}


def map_sql(node_type: str) -> Any:
    def mapper(cx: MapContext) -> Mapped:
        if cx.get("operation", "executeQuery") != "executeQuery":
            raise Unmappable(f"operation '{cx.get('operation')}' (write it as a SQL query)")
        p = _parameterised(cx)
        if (cx.get("options") or {}).get(
            "queryBatching"
        ) == "independently" and node_type == "core.postgres":
            p["transaction"] = "per_statement"
        cx.needs.append(
            ("database", node_type.removeprefix("core."), node_type.removeprefix("core."))
        )
        return Mapped(node_type, p)

    return mapper


def map_email_send(cx: MapContext) -> Mapped:
    if cx.get("operation", "send") != "send":
        raise Unmappable(f"operation '{cx.get('operation')}' (waiting for a reply)")
    opts = cx.get("options") or {}
    fmt = cx.get("emailFormat", "html" if float(cx.version) >= 2 else "text")
    p: dict[str, Any] = {
        "from_email": cx.x("fromEmail", ""),
        "to_email": cx.x("toEmail", ""),
        "subject": cx.x("subject", ""),
    }
    if fmt in ("text", "both"):
        p["text"] = cx.x("text", "")
    if fmt in ("html", "both"):
        p["html"] = cx.x("html", "") or cx.x("message", "")
    for src, dst in (
        ("ccEmail", "cc"),
        ("bccEmail", "bcc"),
        ("replyTo", "reply_to"),
        ("attachments", "attachments"),
    ):
        if opts.get(src):
            p[dst] = cx.value(opts[src], f"options.{src}")
    return Mapped("core.send_email", p)
