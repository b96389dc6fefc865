"""n8n HTTP Request (v3, v4.x) → ``core.http_request``.

Query, headers and body come as key/value lists or JSON; authentication is either a
generic credential type (mapped onto AURA's kinds) or one of n8n's predefined service
credentials (mapped onto a bearer or header credential, with a note).
"""

from __future__ import annotations

import json
from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable

__all__ = ["AUTH_KINDS", "map_http_request"]

AUTH_KINDS = {
    "httpHeaderAuth": "header_auth",
    "httpBearerAuth": "bearer",
    "httpBasicAuth": "basic_auth",
    "httpDigestAuth": "digest_auth",
    "httpQueryAuth": "api_key",
    "oAuth2Api": "oauth2",
}
_BODY = {
    "json": "json",
    "form-urlencoded": "form_urlencoded",
    "multipart-form-data": "multipart",
    "raw": "raw",
    "binaryData": "binary",
}
_FORMAT = {"autodetect": "auto", "json": "json", "text": "text", "file": "binary", "string": "text"}


def _pairs(cx: MapContext, path: str) -> list[dict[str, Any]]:
    out = []
    for i, kv in enumerate(cx.get(path) or []):
        if not kv.get("name"):
            continue
        out.append(
            {
                "name": str(cx.value(kv["name"], f"{path}[{i}].name")),
                "value": cx.value(kv.get("value", ""), f"{path}[{i}].value"),
            }
        )
    return out


def _json_pairs(cx: MapContext, path: str, what: str) -> list[dict[str, Any]]:
    raw = cx.get(path, "")
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise Unmappable(f"{what} given as JSON with expressions (list them as name/value pairs)")
    return [{"name": k, "value": cx.value(v, f"{path}.{k}")} for k, v in data.items()]


def _body(cx: MapContext, p: dict[str, Any]) -> None:
    ctype = cx.get("contentType", "json")
    if ctype not in _BODY:
        raise Unmappable(f"body content type '{ctype}'")
    p["body_type"] = _BODY[ctype]
    if ctype == "raw":
        p["raw_body"] = cx.x("body", "")
        p["raw_content_type"] = cx.get("rawContentType", "text/plain") or "text/plain"
        return
    if ctype == "binaryData":
        p["binary_property"] = cx.get("inputDataFieldName", "data") or "data"
        return
    if cx.get("specifyBody", "keypair") == "json" and ctype == "json":
        p["json_body"] = cx.x("jsonBody", "")
        return
    if cx.get("specifyBody") == "string":
        p["body_type"] = "raw"
        p["raw_body"] = cx.x("body", "")
        p["raw_content_type"] = "application/x-www-form-urlencoded"
        return
    fields = []
    for i, f in enumerate(cx.get("bodyParameters.parameters") or []):
        if f.get("parameterType") == "formBinaryData":
            fields.append(
                {
                    "name": str(f.get("name", "file")),
                    "kind": "file",
                    "binary_property": cx.literal(
                        f"bodyParameters.parameters.{i}.inputDataFieldName", "data"
                    )
                    or "data",
                }
            )
        elif f.get("name"):
            fields.append(
                {
                    "name": str(cx.value(f["name"], f"bodyParameters.parameters[{i}].name")),
                    "value": cx.value(f.get("value", ""), f"bodyParameters.parameters[{i}].value"),
                }
            )
    p["body_fields"] = fields


def _auth(cx: MapContext, p: dict[str, Any]) -> None:
    auth = cx.get("authentication", "none")
    if auth == "genericCredentialType":
        generic = cx.get("genericAuthType", "")
        if generic == "httpCustomAuth":
            p["authentication"] = "header_auth"
            cx.note(
                "n8n's custom auth (a JSON of headers/query) becomes a 'header_auth' "
                "credential: one header and its value"
            )
            return
        if generic not in AUTH_KINDS:
            raise Unmappable(f"authentication '{generic}'")
        p["authentication"] = AUTH_KINDS[generic]
    elif auth == "predefinedCredentialType":
        kind = cx.get("nodeCredentialType", "")
        p["authentication"] = "bearer" if kind in ("openAiApi", "anthropicApi") else "header_auth"
        cx.note(
            f"n8n's '{kind}' credential becomes a '{p['authentication']}' credential: "
            "create it with the service's key"
        )
    elif auth not in ("none", None):
        raise Unmappable(f"authentication '{auth}'")


def map_http_request(cx: MapContext) -> Mapped:
    if float(cx.version) < 3:
        raise Unmappable(f"HTTP Request v{cx.version} (re-save it in n8n as v4)")
    p: dict[str, Any] = {"method": cx.literal("method", "GET"), "url": cx.x("url", "")}
    _auth(cx, p)
    if cx.get("sendQuery"):
        p["query"] = (
            _json_pairs(cx, "jsonQuery", "query parameters")
            if cx.get("specifyQuery") == "json"
            else _pairs(cx, "queryParameters.parameters")
        )
    if cx.get("sendHeaders"):
        p["headers"] = (
            _json_pairs(cx, "jsonHeaders", "headers")
            if cx.get("specifyHeaders") == "json"
            else _pairs(cx, "headerParameters.parameters")
        )
    if cx.get("sendBody"):
        _body(cx, p)
    opts = cx.get("options") or {}
    resp = ((opts.get("response") or {}).get("response")) or {}
    if resp.get("responseFormat") in _FORMAT:
        p["response_format"] = _FORMAT[resp["responseFormat"]]
    if resp.get("outputPropertyName"):
        p["output_field"] = resp["outputPropertyName"]
    for src, dst in (("fullResponse", "full_response"), ("neverError", "never_error")):
        if src in resp:
            p[dst] = bool(resp[src])
    if isinstance(opts.get("timeout"), int | float) and opts["timeout"] > 0:
        p["timeout_s"] = opts["timeout"] / 1000
    redirect = (opts.get("redirect") or {}).get("redirect") or {}
    if "followRedirects" in redirect:
        p["follow_redirects"] = bool(redirect["followRedirects"])
    if "maxRedirects" in redirect:
        p["max_redirects"] = redirect["maxRedirects"]
    if opts.get("allowUnauthorizedCerts"):
        p["ignore_ssl_issues"] = True
    batch = (opts.get("batching") or {}).get("batch") or {}
    if batch.get("batchSize"):
        p["batch_size"] = batch["batchSize"]
        p["batch_interval_ms"] = batch.get("batchInterval", 0)
    if opts.get("pagination"):
        cx.note(
            "n8n pagination settings were not carried over: set AURA's 'pagination' "
            "options on the node"
        )
    if opts.get("proxy"):
        cx.note("the proxy option was not carried over (set AURA's proxy in its settings)")
    return Mapped("core.http_request", p)
