"""Node-RED's HTTP and format nodes → AURA nodes: ``http in``/``http response``/``http
request`` and the converters (``json``, ``csv``, ``xml``, ``yaml``, ``html``), on the
``msg`` ↔ item model (:mod:`.nodered_nodes`)."""

from __future__ import annotations

from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.nodered_values import mustache, noted

__all__ = [
    "map_csv",
    "map_html",
    "map_http_in",
    "map_http_request",
    "map_http_response",
    "map_json",
    "map_xml",
    "map_yaml",
]


def map_http_in(cx: MapContext) -> Mapped:
    path = str(cx.get("url", "")).strip().strip("/")
    if not path:
        raise Unmappable("the endpoint has no URL")
    method = str(cx.get("method", "get")).upper()
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        raise Unmappable(f"method {method}")
    cx.info(
        "Node-RED's msg.payload (query or body) is $json.query / $json.body on AURA's "
        "webhook item; msg.req.headers is $json.headers"
    )
    return Mapped(
        "core.webhook_trigger",
        {"http_method": method, "path": path, "response_mode": "respond_node"},
        inputs=[],
    )


def map_http_response(cx: MapContext) -> Mapped:
    p: dict[str, Any] = {"respond_with": "text", "response_body": "{{ $json.payload }}"}
    code = str(cx.get("statusCode", "") or "").strip()
    if code:
        p["response_code"] = int(code)
    headers = cx.get("headers") or {}
    if headers:
        p["response_headers"] = [{"name": k, "value": str(v)} for k, v in headers.items()]
    return Mapped("core.respond_to_webhook", p)


def map_http_request(cx: MapContext) -> Mapped:
    method = str(cx.get("method", "GET")).upper()
    if method == "USE":
        raise Unmappable("the method comes from msg.method")
    url = str(cx.get("url", ""))
    url = mustache(cx, url, "url") if url else noted(cx, "url", "msg.url", "{{ $json.url }}")
    p: dict[str, Any] = {
        "method": method,
        "url": url,
        "output_field": "payload",
        "response_format": {"txt": "text", "obj": "json", "bin": "binary"}.get(
            cx.get("ret", "txt"), "auto"
        ),
    }
    if method in ("POST", "PUT", "PATCH"):
        p["body_type"] = "json"
        p["json_body"] = noted(cx, "payload", "msg.payload", "{{ $json.payload }}")
    cx.note(
        "the response replaces the item (text responses go to 'payload'); Node-RED "
        "kept the other msg properties"
    )
    return Mapped("core.http_request", p)


def map_json(cx: MapContext) -> Mapped:
    field = str(cx.get("property", "payload")).removeprefix("msg.")
    action = cx.get("action", "")
    if action == "":
        action = "str" if cx.object_input else "obj"
        done = (
            "turns the object from the node before into JSON text"
            if action == "str"
            else "parses JSON text"
        )
        cx.note(f"Node-RED converts both ways at run time; this node {done}")
    op = "stringify" if action == "str" else "parse"
    p: dict[str, Any] = {"operation": op, "field": field, "output_field": field}
    if op == "stringify" and cx.get("pretty"):
        p["pretty"] = True
    return Mapped("core.json", p)


def map_csv(cx: MapContext) -> Mapped:
    cols = [c.strip() for c in str(cx.get("temp", "")).split(",") if c.strip()]
    sep = str(cx.get("sep", ",")).replace("\\t", "\t") or ","
    if cx.object_input:
        cx.note(
            "Node-RED converts CSV both ways at run time; this node builds CSV text in "
            "'payload' from the objects the node before sends"
        )
        return Mapped(
            "core.csv",
            {"operation": "build", "destination": "field", "field": "payload", "delimiter": sep},
        )
    cx.note("Node-RED converts CSV both ways at run time; this node parses CSV text from 'payload'")
    p: dict[str, Any] = {
        "operation": "parse",
        "source": "field",
        "field": "payload",
        "delimiter": sep,
        "header_row": bool(cx.get("hdrin")),
        "auto_type": cx.get("strings", True) not in (False, "false"),  # "parse numbers"
    }
    if cols and not cx.get("hdrin"):
        p["column_names"] = cols
    skip = int(str(cx.get("skip", "0") or 0))
    if skip:
        p["skip_rows"] = skip
    return Mapped("core.csv", p)


def _both_ways(cx: MapContext, node_type: str, what: str) -> Mapped:
    field = str(cx.get("property", "payload") or "payload").removeprefix("msg.")
    op = "build" if cx.object_input else "parse"
    cx.note(
        f"Node-RED converts {what} both ways at run time; this node "
        + (
            "builds it from the object the node before sends"
            if op == "build"
            else f"parses {what} text"
        )
    )
    return Mapped(node_type, {"operation": op, "field": field, "output_field": ""})


def map_xml(cx: MapContext) -> Mapped:
    out = _both_ways(cx, "core.xml", "XML")
    cx.note("attributes are '@name' keys and text '#text' (Node-RED used '$' and '_')")
    return out


def map_yaml(cx: MapContext) -> Mapped:
    return _both_ways(cx, "core.yaml", "YAML")


def map_html(cx: MapContext) -> Mapped:
    ret = {"html": "html", "text": "text"}.get(str(cx.get("ret", "html")))
    if ret is None:
        raise Unmappable("returning all attributes of the elements")
    field = str(cx.get("property", "payload") or "payload").removeprefix("msg.")
    out = str(cx.get("outproperty", "payload") or "payload").removeprefix("msg.")
    return Mapped(
        "core.html",
        {
            "operation": "extract",
            "field": field,
            "keep_source": True,
            "extractions": [
                {
                    "key": out,
                    "selector": str(cx.get("tag", "")),
                    "return_value": ret,
                    "return_array": True,
                }
            ],
        },
    )
