"""n8n tools given to an AI Agent → the agent's node tools.

* An n8n node used as a tool (``n8n-nodes-base.<name>Tool``) whose AURA node may be a
  tool (its spec says so: HTTP Request, Date & Time, Crypto, Send Email…) becomes a node
  tool with the node's parameters. Its ``$fromAI("key", "description", "type", default)``
  values are the model's arguments, read as ``$json.key``; the tool's input schema is
  built from those calls (:func:`tool_arguments`).
* The HTTP Request tool (``toolHttpRequest``) with a fixed URL and no credential becomes
  a node tool running ``core.http_request``: its ``{placeholders}`` and the query or body
  parameters the model fills become arguments (:func:`http_node_tool`).
"""

from __future__ import annotations

import re
from typing import Any

from engine.interop._build import Draft
from engine.interop._mapping import PLACEHOLDER

__all__ = ["TOOL_NAME", "http_node_tool", "node_tool", "tool_arguments"]

TOOL_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_FROM_AI = re.compile(
    r"""\$fromAI\(\s*(['"`])([A-Za-z0-9_-]{1,64})\1"""
    r"""(?:\s*,\s*(['"`])(.*?)\3)?(?:\s*,\s*(['"`])(\w+)\5)?(\s*,)?"""
)
_AI_TYPES = {"string": "string", "number": "number", "boolean": "boolean", "json": "object"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]{0,63})\}")


def _tool_name(text: str) -> str:
    return TOOL_NAME.sub("_", text).strip("_")[:64] or "tool"


def _schema(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


def tool_arguments(texts: list[str]) -> dict[str, Any]:
    """The JSON Schema of the arguments ``$fromAI("key", "description", "type", default)``
    calls in ``texts`` ask the model for (required unless a default is given)."""
    props: dict[str, Any] = {}
    required: list[str] = []
    for text in texts:
        for m in _FROM_AI.finditer(text):
            key = m.group(2)
            prop: dict[str, Any] = {"type": _AI_TYPES.get(m.group(6) or "string", "string")}
            if m.group(4):
                prop["description"] = m.group(4)
            props.setdefault(key, prop)
            if not m.group(7) and key not in required:
                required.append(key)
    return _schema(props, required)


def _add(agent: Draft, tool: dict[str, Any], source: str) -> None:
    agent.node.parameters.setdefault("node_tools", []).append(tool)
    agent.report.info.append(
        f"'{source}' is the agent's tool '{tool['name']}' ({tool['node_type']}); "
        "the model gives its arguments"
    )


def node_tool(agent: Draft, sub: Draft) -> bool:
    """An n8n node given to the agent as a tool whose AURA node can be one → a node tool
    (False: it cannot, the caller keeps the link)."""
    from engine.sdk import get_catalog

    if sub.node.type == PLACEHOLDER or not get_catalog().get(sub.node.type, 1).tool:
        return False
    about = str(sub.source.get("toolDescription") or "").removeprefix("=").strip()
    tool = {
        "name": _tool_name(sub.node.name),
        "description": about or f"Runs {sub.node.name} ({sub.node.type}).",
        "node_type": sub.node.type,
        "parameters": sub.node.parameters,
        "input_schema": tool_arguments([e.original for e in sub.report.expressions]),
    }
    _add(agent, tool, sub.node.name)
    return True


def _literal(value: Any) -> str | None:
    """A fixed n8n value ('=' without an expression is still fixed); None for expressions."""
    text = str(value if value is not None else "")
    if text.startswith("="):
        text = text[1:]
    return None if "{{" in text or "}}" in text else text


def http_node_tool(agent: Draft, sub: Draft, p: dict[str, Any]) -> bool:
    """n8n's HTTP Request tool → a ``core.http_request`` node tool, when its URL is fixed
    (``{placeholders}`` allowed), it sends no credential and no JSON body text."""
    url = _literal(p.get("url", ""))
    if not url or p.get("authentication", "none") not in ("none", None):
        return False
    if p.get("sendBody") and p.get("specifyBody", "keypair") != "keypair":
        return False
    defs = {
        str(d.get("name")): d
        for d in (p.get("placeholderDefinitions") or {}).get("values") or []
        if isinstance(d, dict) and d.get("name")
    }
    props: dict[str, Any] = {}
    required: list[str] = []

    def argument(name: str, needed: bool = True) -> str:
        d = defs.get(name, {})
        prop: dict[str, Any] = {"type": _AI_TYPES.get(str(d.get("type") or "string"), "string")}
        about = _literal(d.get("description"))
        if about:
            prop["description"] = about
        props.setdefault(name, prop)
        if needed and name not in required:
            required.append(name)
        return "{{ $json." + name + " }}"

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: argument(m.group(1)), text)

    def pairs(key: str) -> list[dict[str, Any]] | None:
        out = []
        for v in (p.get(key) or {}).get("values") or []:
            name = str(v.get("name") or "")
            if not name:
                continue
            if v.get("valueProvider") == "fieldValue":
                fixed = _literal(v.get("value", ""))
                if fixed is None:
                    return None
                out.append({"name": name, "value": fill(fixed)})
            elif _PLACEHOLDER.fullmatch("{" + name + "}"):
                optional = v.get("valueProvider") == "modelOptional"
                out.append({"name": name, "value": argument(name, not optional)})
            else:
                return None
        return out

    params: dict[str, Any] = {"method": str(p.get("method", "GET")).upper(), "url": fill(url)}
    query = pairs("parametersQuery") if p.get("sendQuery") else []
    body = pairs("parametersBody") if p.get("sendBody") else []
    if query is None or body is None:
        return False
    if query:
        params["query"] = query
    if body:
        params |= {"body_type": "json", "body_fields": body}
    about = _literal(p.get("toolDescription")) or f"Calls {url}."
    tool = {
        "name": _tool_name(str(p.get("name") or sub.node.name)),
        "description": about,
        "node_type": "core.http_request",
        "parameters": params,
        "input_schema": _schema(props, required),
    }
    _add(agent, tool, sub.node.name)
    return True
