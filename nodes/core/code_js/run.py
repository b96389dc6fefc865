"""Code (JavaScript): sends the items to a JavaScript sandbox process in one call.

The data of other nodes the code names (``$('Name')``, ``$node["Name"]``,
``$items("Name")``) is read here, through the expression engine's ``$node`` view, and
sent along; the code cannot reach anything else. Results come back as JSON and become
items with lineage; per-item errors follow the node's error policy as in the Python
Code node.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from engine.sdk.sandbox import run_js
from nodes.core.code.run import (
    _log,
    _log_error_output,
    _payload,
    collect_each,
    returned_items,
)
from nodes.core.code_js.drivers import N8N_DRIVER, N8N_PARAMS, NODE_RED_DRIVER, NODE_RED_PARAMS
from nodes.core.code_js.spec import CodeJsParams, outputs_for

_NAMED = re.compile(r"""\$(?:node\s*\[|items\s*\(|\()\s*(["'`])((?:(?!\1).)+)\1""")


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    params = ctx.params(0)
    assert isinstance(params, CodeJsParams)
    ctx.check_cancelled()
    if params.style == "node_red":
        return _node_red(ctx, params)
    return _n8n(ctx, params)


def _run(
    ctx: NodeContext, params: CodeJsParams, driver: str, names: list[str], data: dict[str, Any]
) -> Any:
    try:
        res = run_js(params.code, data, driver, params=names, timeout_s=params.timeout_s)
    except Exception as exc:
        _log_error_output(ctx, exc)
        raise
    _log(ctx, res.stdout, res.stdout_truncated)
    return res.result


def _error(record: Any, index: int) -> NodeExecutionError:
    rec = record if isinstance(record, dict) else {}
    etype = str(rec.get("type") or "Error")
    line = rec.get("line")
    at = f" at line {line}" if isinstance(line, int) else ""
    return NodeExecutionError(
        f"{etype}{at} (item {index}): {rec.get('message') or ''}",
        details={"item_index": index, "line": line},
        error_type=etype,
    )


def _other_nodes(
    ctx: NodeContext, code: str, count: int, paired: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    nodes: dict[str, Any] = {}
    pairs: dict[str, Any] = {}
    for name in dict.fromkeys(m.group(2) for m in _NAMED.finditer(code)):
        ref = json.dumps(name)
        found = _try(ctx, f"{{{{ $node({ref}).all() }}}}", 0)
        if found is None:  # not run or not a node: the code's $('...') says so when used
            continue
        nodes[name] = found
        if paired:
            pairs[name] = [_try(ctx, f"{{{{ $node({ref}).item }}}}", i) for i in range(count)]
    return nodes, pairs


def _try(ctx: NodeContext, expr: str, index: int) -> Any:
    try:
        return ctx.evaluate(expr, index)
    except Exception:
        return None


def _common(ctx: NodeContext) -> dict[str, Any]:
    try:
        variables = ctx.evaluate("{{ $vars }}")
    except Exception:
        variables = {}
    return {
        "seed": secrets.token_hex(32),  # require('crypto')'s random generator, per run
        "now": ctx.now().isoformat(),
        "vars": variables if isinstance(variables, dict) else {},
        "workflow": {
            "id": ctx.workflow.id,
            "name": ctx.workflow.name,
            "active": ctx.workflow.active,
        },
        "execution": {"id": ctx.execution.id, "mode": ctx.execution.mode},
    }


# -- n8n ------------------------------------------------------------------------------
def _n8n(ctx: NodeContext, params: CodeJsParams) -> dict[str, list[Item]]:
    items = ctx.items
    each = params.mode == "each_item"
    nodes, pairs = _other_nodes(ctx, params.code, len(items), each or ".item" in params.code)
    policy = ctx.node.error_policy
    stored = ctx.static_data
    # n8n's 'global' static data is the workflow's, shared by its nodes; 'node' is this one's
    shared = ctx.shared_data if "$getWorkflowStaticData" in params.code else {}
    static = {
        "global": dict(shared.get("n8n_global") or stored.get("n8n_global") or {}),
        "node": dict(stored.get("n8n_node") or {}),
    }
    data = {
        "mode": params.mode,
        "items": [_payload(i) for i in items],
        "nodes": nodes,
        "paired": pairs,
        "prevNode": "",
        "stopOnError": policy == "stop",
        "staticData": static,
        **_common(ctx),
    }
    wrapped = _run(ctx, params, N8N_DRIVER, N8N_PARAMS, data)
    wrapped = wrapped if isinstance(wrapped, dict) else {}
    kept = wrapped.get("staticData") or {}
    if isinstance(kept.get("global"), dict) and kept["global"] != static["global"]:
        shared["n8n_global"] = kept["global"]
        stored.pop("n8n_global", None)  # moved from where it was kept per node before
    if isinstance(kept.get("node"), dict):
        stored["n8n_node"] = kept["node"]
    if each:
        return _n8n_each(policy, items, wrapped)
    return returned_items(
        wrapped.get("value"),
        items,
        _js_type,
        "an array of items (objects), e.g. return $input.all();",
        "array",
    )


def _js_type(value: Any) -> str:
    return {str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _n8n_each(policy: str, items: list[Item], value: dict[str, Any]) -> dict[str, list[Item]]:
    results = value.get("results") or []
    errors = {int(k): _error(rec, int(k)) for k, rec in (value.get("errors") or {}).items()}
    return collect_each(policy, items, results, errors)


# -- Node-RED -------------------------------------------------------------------------
def _node_red(ctx: NodeContext, params: CodeJsParams) -> dict[str, list[Item]]:
    items = ctx.items
    ports = [p.name for p in outputs_for(params)]
    policy = ctx.node.error_policy
    stored = ctx.static_data  # the node's own context
    shared = ctx.shared_data  # flow and global context: shared by the workflow's nodes
    data = {
        "items": [dict(i.json) for i in items],
        "outputs": len(ports),
        "node": {"id": ctx.node.id, "name": ctx.node.name},
        "context": dict(stored.get("context") or {}),
        "flow": dict(shared.get("flow") or {}),
        "global": dict(shared.get("global") or {}),
        "stopOnError": policy == "stop",
        **_common(ctx),
    }
    value = _run(ctx, params, NODE_RED_DRIVER, NODE_RED_PARAMS, data)
    if not isinstance(value, dict):
        raise NodeExecutionError("The Node-RED driver returned no result.")
    errors = value.get("errors") or {}
    if policy == "stop" and errors:
        first = min(errors, key=int)
        raise _error(errors[first], int(first))
    for key in ("context", "flow", "global"):
        if isinstance(value.get(key), dict):
            (stored if key == "context" else shared)[key] = value[key]
    result: dict[str, list[Item]] = {p: [] for p in ports}
    for port, sent in zip(ports, value.get("outputs") or [], strict=False):
        for entry in sent:
            i, msg = int(entry["i"]), entry["msg"]
            if not isinstance(msg, dict):
                raise NodeExecutionError(
                    f"The code sent {_js_type(msg)} for item {i}; a message must be an object "
                    "like {payload: ...}.",
                    error_type="TypeError",
                )
            result[port].append(items[i].derive(msg, index=i))
    failed: list[Item] = []
    for key, record in sorted(errors.items(), key=lambda kv: int(kv[0])):
        i = int(key)
        problem = _error(record, i)
        err = {"message": problem.message, "type": problem.error_type, "item_index": i}
        failed.append(items[i].derive({**items[i].json, "error": err}, index=i))
    if failed:
        if policy == "continue":
            result[ports[0]].extend(failed)
        else:
            result["error"] = failed
    return result
