"""The OpenAPI 3.1 document and the docs page, generated from the route declarations.

Nothing here is written by hand: paths, parameters, bodies and responses come from each
:class:`~studio.api.routing.Operation` and its pydantic models; the docs page is plain
HTML rendered from the same document (it loads nothing from the internet).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from studio.api.routing import MAX_INT_PARAM, Operation
from studio.api.schemas import ErrorOut

__all__ = ["docs_html", "openapi_document"]

_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
_STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content",
                400: "Bad request", 401: "Not logged in", 403: "Not allowed",
                404: "Not found", 409: "Conflict with the current state",
                413: "Request body too large", 422: "Invalid input: see `message`",
                429: "Too many requests", 503: "Not ready"}
_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKeyAuth": []},
                                         {"cookieAuth": []}]


def _models(operations: list[Operation]) -> list[tuple[type[BaseModel], Any]]:
    seen: dict[tuple[type[BaseModel], str], None] = {(ErrorOut, "serialization"): None}
    for op in operations:
        for model, mode in ((op.body, "validation"), (op.query, "validation"),
                            (op.response, "serialization")):
            if isinstance(model, type) and issubclass(model, BaseModel):
                seen[(model, mode)] = None
    return list(seen)


def _parameters(op: Operation, schemas: dict[tuple[Any, str], Any],
                components: dict[str, Any]) -> list[dict[str, Any]]:
    params = [{"name": name, "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 0, "maximum": MAX_INT_PARAM}
               if conv == "int" else {"type": "string"}}
              for name, conv in _PARAM.findall(op.path)]
    if op.query is not None:
        ref = schemas[(op.query, "validation")]["$ref"].rsplit("/", 1)[-1]
        qschema = components[ref]
        required = set(qschema.get("required", []))
        for name, prop in qschema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required,
                           "description": prop.get("description", ""), "schema": prop})
    return params


def _responses(op: Operation, schemas: dict[tuple[Any, str], Any],
               has_auth: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ok: dict[str, Any] = {"description": _STATUS_TEXT.get(op.status, "OK")}
    if op.status != 204:
        schema = schemas.get((op.response, "serialization"), {}) if op.response else {}
        ok["content"] = {op.media_type: {"schema": schema}}
    out[str(op.status)] = ok
    codes = set(op.errors)
    if op.body is not None or op.query is not None:
        codes.add(422)
    if op.body is not None:
        codes.add(413)
    if has_auth and not op.public:
        codes.update((401, 403))
    error = schemas[(ErrorOut, "serialization")]
    for code in sorted(codes):
        out[str(code)] = {"description": _STATUS_TEXT.get(code, "Error"),
                          "content": {"application/json": {"schema": error}}}
    return out


def openapi_document(operations: list[Operation], *, title: str = "AURA API",
                     version: str = "1.0.0", has_auth: bool = True) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations``."""
    keys, defs = models_json_schema(_models(operations),
                                    ref_template="#/components/schemas/{model}")
    schemas: dict[tuple[Any, str], Any] = {k: v for k, v in keys.items()}
    components: dict[str, Any] = dict(defs.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, None] = {}
    query_refs = {schemas[(op.query, "validation")]["$ref"].rsplit("/", 1)[-1]
                  for op in operations if op.query is not None}
    for op in operations:
        tags[op.tag] = None
        entry: dict[str, Any] = {
            "operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
            "description": op.description, "x-aura-action": op.action,
            "parameters": _parameters(op, schemas, components),
            "responses": _responses(op, schemas, has_auth)}
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": schemas[(op.body, "validation")]}}}
        if not op.public:
            entry["security"] = _SECURITY
        paths.setdefault(_PARAM.sub(r"{\1}", op.path), {})[op.method.lower()] = entry
    for ref in query_refs:
        components.pop(ref, None)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "The HTTP API of AURA, the workflow automation studio. "
                 "Errors are JSON `{error, message, details}`."},
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "aura_session"}}},
    }


_CSS = """body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;
padding:0 1rem;color:#1f2328}h2{border-bottom:1px solid #d0d7de;margin-top:2rem}
details{border:1px solid #d0d7de;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer}code,pre{font-family:ui-monospace,monospace;font-size:13px}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:24rem}
.m{display:inline-block;width:4.5rem;font-weight:700}.GET{color:#0969da}
.POST{color:#1a7f37}.PUT,.PATCH{color:#9a6700}.DELETE{color:#cf222e}
.a{color:#57606a;font-size:13px;float:right}"""


def _schema_text(value: Any) -> str:
    return html.escape(json.dumps(value, indent=2))


def docs_html(doc: dict[str, Any]) -> str:
    """A self-contained HTML page listing every operation of ``doc``."""
    e = html.escape
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(doc['info']['title'])}"
             f"</title><style>{_CSS}</style></head><body><h1>{e(doc['info']['title'])} "
             f"<small>{e(doc['info']['version'])}</small></h1><p>{e(doc['info']['description'])}"
             " Machine-readable: <a href='openapi.json'>openapi.json</a>. Send "
             "<code>Authorization: Bearer &lt;token&gt;</code> or <code>X-API-Key</code>."
             "</p>"]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            by_tag.setdefault(op["tags"][0], []).append((method.upper(), path, op))
    for tag, ops in by_tag.items():
        parts.append(f"<h2>{e(tag)}</h2>")
        for method, path, op in ops:
            action = op.get("x-aura-action") or "public"
            parts.append(f"<details><summary><span class='m {method}'>{method}</span>"
                         f"<code>{e(path)}</code> — {e(op['summary'])}<span class='a'>"
                         f"{e(action)}</span></summary>")
            if op.get("description"):
                parts.append(f"<p>{e(op['description'])}</p>")
            if op["parameters"]:
                parts.append("<p>Parameters:</p><ul>" + "".join(
                    f"<li><code>{e(p['name'])}</code> ({p['in']}"
                    f"{', required' if p.get('required') else ''}) {e(p.get('description', ''))}"
                    "</li>" for p in op["parameters"]) + "</ul>")
            if "requestBody" in op:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                parts.append(f"<p>Body:</p><pre>{_schema_text(schema)}</pre>")
            parts.append("<p>Responses: " + ", ".join(
                f"<code>{code}</code> {e(r['description'])}"
                for code, r in op["responses"].items()) + "</p></details>")
    parts.append("<h2>Schemas</h2>")
    for name, schema in doc["components"]["schemas"].items():
        parts.append(f"<details><summary><code>{e(name)}</code></summary>"
                     f"<pre>{_schema_text(schema)}</pre></details>")
    parts.append("</body></html>")
    return "".join(parts)
