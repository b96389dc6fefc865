"""Builders of small workflows and polling helpers shared by the API tests."""

from __future__ import annotations

import time
from typing import Any

from starlette.testclient import TestClient

Workflow = dict[str, Any]


def manual_workflow(name: str = "Manual", **set_values: Any) -> Workflow:
    """Manual Trigger → Set (``set_values``, default ``processed=true``)."""
    values = set_values or {"processed": True}
    return {"name": name, "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Set", "type": "core.set", "parameters": {
            "assignments": [{"name": k, "value": v} for k, v in values.items()]}}],
        "connections": [{"source": "Start", "target": "Set"}]}


def webhook_workflow(name: str = "Hook", *, respond: dict[str, Any] | None = None,
                     set_values: dict[str, Any] | None = None, **params: Any) -> Workflow:
    """Webhook (``params``) → Set (``set_values``) [→ Respond to Webhook (``respond``)]."""
    params.setdefault("path", "hook")
    params.setdefault("http_method", "POST")
    values = set_values if set_values is not None else {"processed": True}
    nodes: list[dict[str, Any]] = [
        {"name": "Webhook", "type": "core.webhook_trigger", "parameters": params},
        {"name": "Set", "type": "core.set", "parameters": {
            "assignments": [{"name": k, "value": v} for k, v in values.items()]}}]
    connections = [{"source": "Webhook", "target": "Set"}]
    if respond is not None:
        nodes.append({"name": "Respond", "type": "core.respond_to_webhook",
                      "parameters": respond})
        connections.append({"source": "Set", "target": "Respond"})
    return {"name": name, "nodes": nodes, "connections": connections}


def wait_execution(client: TestClient, execution_id: str, timeout: float = 10.0
                   ) -> dict[str, Any]:
    """The execution once finished (polls the API)."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/api/v1/executions/{execution_id}")
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        if data["status"] in ("succeeded", "failed", "cancelled", "crashed"):
            return data
        assert time.monotonic() < deadline, f"execution still {data['status']}"
        time.sleep(0.02)
