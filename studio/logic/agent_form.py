"""The agent editor's form, as plain data: an agent definition turned into text fields and
tool rows (what the page binds to), and back, with each wrong field named in plain words.

* :func:`to_form` gives ``(fields, tools)``: ``fields`` maps each setting (``max_steps``,
  ``credential_id`` ...) to the text its input shows, ``tools`` is one row per tool
  (kind, name, description, what it reaches, whether each call waits for approval; a
  knowledge tool's re-ranker, '' for none).
* :func:`from_form` reads them back into a definition dict and a dict of problems by
  field key (``max_steps``, ``tools.1.name``); the definition is only good when there
  are none. The service validates again (:func:`engine.agents.definition.load_definition`);
  :func:`field_errors` puts its problems beside the same fields.
* :func:`tool_row` makes the row of a tool picked from the editor's lists.
"""

from __future__ import annotations

import json
import re
from typing import Any

from studio.logic.agent_node_tools import node_spec_parts

__all__ = ["FIELDS", "field_errors", "from_form", "to_form", "tool_row"]

FIELDS = (
    "provider",
    "credential_id",
    "model",
    "temperature",
    "max_retries",
    "timeout_s",
    "stream",
    "strategy",
    "memory_kind",
    "memory_window",
    "max_steps",
    "max_tokens",
    "max_cost",
    "max_seconds",
    "approval_timeout_s",
    "budget_warn",
    "budget_stop",
)
_PATHS = {
    "model.provider": "provider",
    "model.credential_id": "credential_id",
    "model.model": "model",
    "model.temperature": "temperature",
    "model.max_retries": "max_retries",
    "model.timeout_s": "timeout_s",
    "strategy": "strategy",
    "memory.kind": "memory_kind",
    "memory.window": "memory_window",
    "limits.max_steps": "max_steps",
    "limits.max_tokens": "max_tokens",
    "limits.max_cost": "max_cost",
    "limits.max_seconds": "max_seconds",
    "approval_timeout_s": "approval_timeout_s",
    "budget.warn": "budget_warn",
    "budget.stop": "budget_stop",
}
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KIND_LABELS = {
    "workflow": "Workflow",
    "http": "HTTP",
    "knowledge": "Knowledge",
    "mcp": "MCP server",
    "code": "Code",
    "node": "Node",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _target_label(kind: str, target: str, choices: dict[str, Any]) -> str:
    if kind == "workflow":
        names = {str(w["id"]): str(w["name"]) for w in choices.get("workflows", [])}
        return names.get(target, f"workflow {target} (not available to you)")
    if kind == "http":
        return "HTTP requests"
    if kind == "knowledge":
        return "Knowledge base " + ", ".join(target.split(","))
    if kind == "code":
        return "Python code in the sandbox"
    if kind == "node":
        titles = {n["type"]: n["title"] for n in choices.get("nodes", [])}
        return f"{titles.get(target, target)} node"
    return "MCP server " + ", ".join(target.split(","))


def tool_row(
    kind: str,
    target: str = "",
    *,
    choices: dict[str, Any] | None = None,
    name: str = "",
    description: str = "",
    sensitive: bool = False,
    schema: dict[str, Any] | None = None,
    spec: dict[str, Any] | None = None,
) -> dict[str, str]:
    """A tool row of the form. ``target``: the workflow's id, the node's type, or the
    knowledge bases' or MCP servers' names joined by commas (empty for HTTP and code).
    ``spec``: the stored tool (a node tool's parameters and credentials, a code tool's
    time limit)."""
    spec = spec or {}
    choices = choices or {}
    if kind == "workflow" and schema is None:
        found = next((w for w in choices.get("workflows", []) if w["id"] == target), None)
        schema = found["input_schema"] if found else None
    if not name:
        base = {
            "http": "http_request",
            "knowledge": "search_" + target.split(",")[0],
            "mcp": "mcp_" + target.replace(",", "_"),
            "workflow": _target_label(kind, target, choices),
            "code": "run_python",
            "node": target.replace(".", "_"),
        }[kind]
        name = re.sub(r"[^A-Za-z0-9_-]+", "_", base.lower()).strip("_")[:64] or kind
    arguments = ""
    props = list(((schema or {}).get("properties") or {}).keys())
    if kind == "workflow":
        arguments = ", ".join(props) if props else "any JSON object"
    return {
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "target": target,
        "label": _target_label(kind, target, choices),
        "name": name,
        "description": description,
        "sensitive": "true" if sensitive else "",
        "schema": json.dumps(schema) if schema is not None else "",
        "arguments": arguments,
        "params": json.dumps(spec.get("parameters") or {}) if kind == "node" else "",
        "creds": json.dumps(spec.get("credentials") or {}) if kind == "node" else "",
        "args": ", ".join(props) if kind == "node" else "",
        "timeout": _text(spec.get("timeout_s", 10)) if kind == "code" else "",
        "rerank": _text(spec.get("rerank")) if kind == "knowledge" else "",
        "error": "",
    }


def to_form(
    definition: dict[str, Any], choices: dict[str, Any] | None = None
) -> tuple[str, dict[str, str], list[dict[str, str]]]:
    """``(instructions, fields, tools)`` showing ``definition`` (a stored one: defaults
    are filled in by the registry, missing keys here mean the defaults)."""
    model = definition.get("model") or {}
    memory = definition.get("memory") or {}
    limits = definition.get("limits") or {}
    budget = definition.get("budget") or {}
    fields = {
        "provider": _text(model.get("provider") or "openai"),
        "credential_id": _text(model.get("credential_id")),
        "model": _text(model.get("model")),
        "temperature": _text(model.get("temperature")),
        "max_retries": _text(model.get("max_retries", 2)),
        "timeout_s": _text(model.get("timeout_s", 60)),
        "stream": "true" if model.get("stream") else "",
        "strategy": _text(definition.get("strategy") or "tools"),
        "memory_kind": _text(memory.get("kind") or "window"),
        "memory_window": _text(memory.get("window", 20)),
        "max_steps": _text(limits.get("max_steps", 20)),
        "max_tokens": _text(limits.get("max_tokens")),
        "max_cost": _text(limits.get("max_cost")),
        "max_seconds": _text(limits.get("max_seconds", 600) if "max_seconds" in limits else 600),
        "approval_timeout_s": _text(definition.get("approval_timeout_s")),
        "budget_warn": _text(budget.get("warn")),
        "budget_stop": _text(budget.get("stop")),
    }
    tools = []
    for t in definition.get("tools") or []:
        kind = str(t.get("kind") or "http")
        target = {
            "workflow": str(t.get("workflow_id") or ""),
            "knowledge": ",".join(t.get("knowledge_bases") or []),
            "mcp": ",".join(t.get("servers") or []),
            "node": str(t.get("node_type") or ""),
        }.get(kind, "")
        tools.append(
            tool_row(
                kind,
                target,
                choices=choices,
                name=str(t.get("name") or ""),
                description=str(t.get("description") or ""),
                sensitive=bool(t.get("sensitive")),
                schema=t.get("input_schema") if kind in ("workflow", "node") else None,
                spec=t,
            )
        )
    return str(definition.get("instructions") or ""), fields, tools


class _Reader:
    """Reads numbers from the fields, collecting a plain-words problem per bad one."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        self.errors: dict[str, str] = {}

    def whole(self, key: str, lo: int, hi: int | None, *, optional: bool = False) -> int | None:
        raw = (self.fields.get(key) or "").strip()
        if not raw:
            if optional:
                return None
            self.errors[key] = "Required: " + _range_words(lo, hi, whole=True) + "."
            return None
        try:
            value = int(raw)
        except ValueError:
            self.errors[key] = _wrong(raw, lo, hi, whole=True, optional=optional)
            return None
        if value < lo or (hi is not None and value > hi):
            self.errors[key] = _wrong(raw, lo, hi, whole=True, optional=optional)
            return None
        return value

    def number(
        self, key: str, *, above: float = 0, at_most: float | None = None, optional: bool = True
    ) -> float | None:
        raw = (self.fields.get(key) or "").strip().replace(",", ".")
        if not raw:
            if not optional:
                self.errors[key] = "Required: " + _above_words(above, at_most) + "."
            return None
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not value > above or (at_most is not None and value > at_most):
            lead = "Leave it empty for no limit, or enter " if optional else "Enter "
            words = _above_words(above, at_most)
            self.errors[key] = f"'{raw}' is not a valid value: {lead}{words}."
            return None
        return value


def _range_words(lo: int, hi: int | None, *, whole: bool) -> str:
    kind = "a whole number" if whole else "a number"
    return f"enter {kind} from {lo} to {hi}" if hi is not None else f"enter {kind} of {lo} or more"


def _above_words(above: float, at_most: float | None) -> str:
    low = _text(above)
    if at_most is None:
        return f"a number above {low}"
    return f"a number above {low} and at most {_text(at_most)}"


def _wrong(raw: str, lo: int, hi: int | None, *, whole: bool, optional: bool) -> str:
    lead = "leave it empty for no limit, or " if optional else ""
    return f"'{raw}' is not a valid value: {lead}{_range_words(lo, hi, whole=whole)}."


def _temperature(r: _Reader) -> float | None:
    raw = (r.fields.get("temperature") or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 2:
        r.errors["temperature"] = (
            f"'{raw}' is not a valid temperature: leave it empty for the model's default, "
            "or enter a number from 0 to 2."
        )
        return None
    return value


def _rerank_problem(value: str, rerankers: list[str] | None) -> str:
    """Why a knowledge tool's re-ranker cannot be saved ('' when it can): one the engine
    no longer offers (its package removed, say) is named with those it does."""
    if not value or rerankers is None or value in rerankers:
        return ""
    offered = ", ".join(rerankers) or "none are installed"
    return f"Unknown re-ranker '{value}': choose None (the search's own order) or one of {offered}."


def _tools(
    rows: list[dict[str, str]], rerankers: list[str] | None = None
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    errors: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        kind, name = row["kind"], row["name"].strip()
        if not _TOOL_NAME.match(name):
            errors[f"tools.{i}"] = (
                f"The name '{name}' cannot be used: give the tool a name of 1 to 64 letters, "
                "digits, '_' or '-' (no spaces); the model calls it by this name."
                if name
                else "Give the tool a name (letters, digits, '_' or '-'): the model calls "
                "it by this name."
            )
        elif name in seen:
            errors[f"tools.{i}"] = (
                f"Tool {seen[name] + 1} is also named '{name}': give each tool its own name."
            )
        seen.setdefault(name, i)
        spec: dict[str, Any] = {"kind": kind, "name": name, "sensitive": bool(row["sensitive"])}
        if row["description"].strip():
            spec["description"] = row["description"].strip()
        targets = [t for t in row["target"].split(",") if t]
        if kind == "workflow":
            spec["workflow_id"] = row["target"]
            if row.get("schema"):
                spec["input_schema"] = json.loads(row["schema"])
        elif kind == "knowledge":
            spec["knowledge_bases"] = targets
            rerank = (row.get("rerank") or "").strip()
            if problem := _rerank_problem(rerank, rerankers):
                errors.setdefault(f"tools.{i}", problem)
            if rerank:
                spec["rerank"] = rerank
        elif kind == "mcp":
            spec["servers"] = targets
        elif kind == "code":
            timeout = _Reader({"t": row.get("timeout", "")}).number("t", at_most=120)
            if timeout is None:
                errors.setdefault(
                    f"tools.{i}", "Seconds per call: enter a number above 0, at most 120."
                )
            else:
                spec["timeout_s"] = timeout
        elif kind == "node":
            params, creds, schema, problem = node_spec_parts(row)
            if problem:
                errors.setdefault(f"tools.{i}", problem)
            spec.update(
                node_type=row["target"], parameters=params, credentials=creds, input_schema=schema
            )
        out.append(spec)
    return out, errors


def from_form(
    instructions: str,
    fields: dict[str, str],
    tools: list[dict[str, str]],
    rerankers: list[str] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The definition the form describes, and the problems by field key (empty: good).
    ``rerankers``: the re-rankers a knowledge tool may use (the editor's choices; None:
    not checked here, the service checks)."""
    r = _Reader(fields)
    model: dict[str, Any] = {
        "provider": fields.get("provider") or "openai",
        "credential_id": fields.get("credential_id") or None,
        "model": (fields.get("model") or "").strip(),
        "temperature": _temperature(r),
        "max_retries": r.whole("max_retries", 0, 10),
        "timeout_s": r.number("timeout_s", at_most=600, optional=False),
        "stream": bool(fields.get("stream")),
    }
    memory = {
        "kind": fields.get("memory_kind") or "window",
        "window": r.whole("memory_window", 1, 1000),
    }
    limits = {
        "max_steps": r.whole("max_steps", 1, 1000),
        "max_tokens": r.whole("max_tokens", 1, None, optional=True),
        "max_cost": r.number("max_cost"),
        "max_seconds": r.number("max_seconds"),
    }
    budget = {"warn": r.number("budget_warn"), "stop": r.number("budget_stop")}
    if budget["warn"] and budget["stop"] and budget["warn"] > budget["stop"]:
        r.errors["budget_warn"] = (
            "Warn below the stop level: a warning after runs stop is never seen."
        )
    tool_specs, tool_errors = _tools(tools, rerankers)
    definition = {
        "instructions": instructions,
        "model": model,
        "strategy": fields.get("strategy") or "tools",
        "tools": tool_specs,
        "memory": memory,
        "limits": limits,
        "approval_timeout_s": r.number("approval_timeout_s"),
        "budget": budget,
    }
    return definition, {**r.errors, **tool_errors}


def field_errors(
    details: dict[str, Any] | None, message: str = "", tool_names: list[str] | None = None
) -> dict[str, str]:
    """The service's problems by form key: ``details["fields"]`` of a definition that
    does not validate, or ``details["field"]`` of a reference the caller may not use
    (``model.credential_id``, ``tools.<name>.workflow_id``) with ``message``."""
    details = details or {}
    out: dict[str, str] = {}
    for path, text in (details.get("fields") or {}).items():
        parts = str(path).split(".")
        if parts[0] == "tools" and len(parts) > 1 and parts[1].isdigit():
            out.setdefault(f"tools.{parts[1]}", text)
        elif path in _PATHS:
            out.setdefault(_PATHS[path], text)
    field = str(details.get("field") or "")
    if field in _PATHS:
        out.setdefault(_PATHS[field], message)
    elif field.startswith("tools.") and tool_names:
        name = field.split(".")[1]
        if name in tool_names:
            out.setdefault(f"tools.{tool_names.index(name)}", message)
    return out
