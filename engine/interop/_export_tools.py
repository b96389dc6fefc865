"""An agent's node tools → n8n tool sub-nodes, the shape
:mod:`engine.interop.n8n_ai_tools` reads back: an HTTP Request node tool becomes n8n's
HTTP Request tool (``{placeholders}``, model-filled query and body parameters), any other
becomes the node's n8n ``…Tool`` variant with ``$fromAI(...)`` where it read the model's
arguments (``$json.<key>``)."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["http_tool_params", "node_tool_params"]

_ARG = re.compile(r"^\{\{ \$json\.([A-Za-z_][A-Za-z0-9_]*) \}\}$")
_ARG_IN = re.compile(r"\{\{ \$json\.([A-Za-z_][A-Za-z0-9_]*) \}\}")
_TYPES = {"string": "string", "number": "number", "boolean": "boolean", "object": "json"}


def _props(tool: dict[str, Any]) -> dict[str, Any]:
    props = (tool.get("input_schema") or {}).get("properties") or {}
    return props if isinstance(props, dict) else {}


def http_tool_params(tool: dict[str, Any]) -> dict[str, Any]:
    """n8n ``toolHttpRequest`` v1.1 parameters for a ``core.http_request`` node tool."""
    p, props = tool.get("parameters") or {}, _props(tool)
    required = set((tool.get("input_schema") or {}).get("required") or [])

    def placeholders(text: Any) -> str:
        return _ARG_IN.sub(lambda m: "{" + m.group(1) + "}", str(text))

    def pairs(values: list[dict[str, Any]]) -> dict[str, Any]:
        out = []
        for v in values:
            m = _ARG.match(str(v.get("value", "")))
            if m and m.group(1) == v.get("name"):
                provider = "modelRequired" if v["name"] in required else "modelOptional"
                out.append({"name": v["name"], "valueProvider": provider})
            else:
                value = placeholders(v.get("value", ""))
                out.append({"name": v["name"], "value": value, "valueProvider": "fieldValue"})
        return {"values": out}

    out: dict[str, Any] = {
        "name": tool.get("name", ""),
        "toolDescription": tool.get("description", ""),
        "method": p.get("method", "GET"),
        "url": placeholders(p.get("url", "")),
    }
    if p.get("query"):
        out |= {"sendQuery": True, "parametersQuery": pairs(p["query"])}
    if p.get("body_fields"):
        body = pairs(p["body_fields"])
        out |= {"sendBody": True, "specifyBody": "keypair", "parametersBody": body}
    out["placeholderDefinitions"] = {
        "values": [
            {"name": k, "type": _TYPES.get(str(v.get("type")), "string")}
            | ({"description": v["description"]} if v.get("description") else {})
            for k, v in props.items()
            if isinstance(v, dict)
        ]
    }
    return out


def node_tool_params(tool: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The n8n parameters of a node tool (``params``: its node exported to n8n) with each
    ``$json.<argument>`` as ``$fromAI("argument", "description", "type")``."""
    props = _props(tool)

    def from_ai(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in props:
            return m.group(0)
        d = props[key] if isinstance(props[key], dict) else {}
        args = [key, str(d.get("description", "")), _TYPES.get(str(d.get("type")), "string")]
        return "$fromAI(" + ", ".join(json.dumps(a, ensure_ascii=False) for a in args) + ")"

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str) and v.startswith("="):
            return re.sub(r"\$json\.([A-Za-z_][A-Za-z0-9_]*)", from_ai, v)
        return v

    out: dict[str, Any] = walk(params)
    return out | {"toolDescription": tool.get("description", "")}
