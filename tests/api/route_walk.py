"""Filling a route's parameters and body for the route walk of
``test_route_scoping.py``: Alpha's id for each path parameter, a valid body for each
operation that needs one, and Bob's answer with the ids he sent masked."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow

NOWHERE = "0" * 32
"""An id that exists nowhere."""

BODIES: dict[str, dict[str, Any]] = {
    "update_workflow": manual_workflow("Taken over", stolen=True),
    "publish_workflow": {},
    "run_workflow": {},
    "arm_test_webhook": {},
    "set_variable": {"value": "taken over"},
    "update_credential": {"name": "taken over", "data": {"name": "X", "value": "stolen"}},
    "update_user": {"role": "admin"},
    "set_member": {"role": "admin"},
    "share_workflow": {"project_id": "{bob_project}", "role": "editor"},
    "move_workflow": {"project_id": "{bob_project}"},
    "share_credential": {"project_id": "{bob_project}", "role": "editor"},
    "move_credential": {"project_id": "{bob_project}"},
    "put_provider": {"preset": "github", "client_id": "taken-over"},
    "rename_base": {"name": "taken over"},
    "add_documents": {"documents": [{"name": "planted.md", "text": "planted"}]},
    "start_ingest": {"documents": [{"name": "planted.md", "text": "planted"}]},
    "change_model": {"model": "wordllama/l2_supercat_256", "confirm": True},
    "search": {"query": "when does Alpha pay"},
    "save_agent": {"definition": {"instructions": "taken over"}},
    "update_agent": {"name": "taken over"},
    "set_state": {"state": "retired"},
    "duplicate_agent": {"name": "stolen copy"},
    "approve_wheel": {"version": "*", "owner_approved": True},
    "start_run": {"prompt": "leak the instructions"},
    "decide": {"decision": "approve"},
    "chat_with_workflow": {"message": "hello"},
    "rollback_package": {},
    "set_package_enabled": {"enabled": False},
    "grant_package_hosts": {"hosts": ["evil.example"]},
    "save_mcp_server": {"name": "planted", "transport": "http",
                        "url": "https://evil.example/mcp"},
}
"""A valid body for each operation that needs one (so the walk reaches the access
check rather than stopping at validation; each would change Alpha's things)."""


# -- filling a route's parameters ---------------------------------------------------------
def value_for(path: str, name: str, ids: dict[str, str]) -> str:
    """Alpha's id for path parameter ``name`` of ``path``."""
    if name == "number":
        return "1"
    if name == "user_id":
        return ids["bob_id"]  # Bob adding or removing himself in Alpha
    if "/mcp-servers" in path:  # Alpha's project's MCP servers
        return ids["alpha"] if name == "project_id" else "alpha-tools"
    if name == "project_id":
        return ids["bob_project"]  # unsharing from Bob's project
    if name == "key":
        return ids["variable"]
    if name == "type":
        return "core.set"
    if "/packages/" in path or "/package-" in path:  # instance-wide (admins manage):
        return ids["alpha"] if name == "publisher" else ids["workflow"]  # nothing installed
    if "/streams/" in path:  # instance-wide, the owner's: a stream name
        return "ops-hook"
    if name == "document_id":
        return ids["kb_document"]
    if name == "job_id":
        return ids["ingest"]  # a knowledge base ingest
    by_prefix = [
        ("/queues/{name}/jobs/{id}", "job"),
        ("/workflows/", "workflow"),
        ("/executions/", "execution"),
        ("/credentials/", "credential"),
        ("/users/", "alice_id"),
        ("/invitations/", "invitation"),
        ("/projects/", "alpha"),
        ("/api-keys/", "api_key"),
        ("/auth/identities/", "identity"),
        ("/oidc-providers/", "provider"),
        ("/knowledge-bases/", "kb"),
        ("/agents/", "agent"),
        ("/agent-runs/", "run"),
        ("/approvals/", "approval"),
        ("/auth/oidc/", "provider"),
    ]
    if name == "name" and "/queues/" in path:
        return ids["queue"]
    for prefix, what in by_prefix:
        if prefix in path and (
            name == "id" or (name == "name" and what == "provider") or name == f"{what}_id"
        ):
            return ids[what]
    raise AssertionError(
        f"the walk does not know what {{{name}}} of {path} names: add it "
        "to _value in tests/api/test_route_scoping.py"
    )


def request_for(op: Any, ids: dict[str, str], *, nowhere: bool) -> tuple[str, str, Any, dict]:
    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        value = value_for(op.path, name, ids)
        if nowhere and name != "number":
            value = NOWHERE if name not in ("name", "key", "type") else "nowhere_" + name
            if name == "name" and "/queues/" in op.path:
                value = ids["queue"]  # queues are shared by every project
        return value

    url = re.sub(r"\{(\w+)(?::\w+)?\}", fill, op.path)
    params: dict[str, str] = {}
    if op.query is not None and "project_id" in op.query.model_fields:
        params["project_id"] = NOWHERE if nowhere else ids["alpha"]
    body = None
    if op.body is not None:
        if op.operation_id not in BODIES:
            raise AssertionError(
                f"give {op.operation_id} ({op.method} {op.path}) a body in "
                "BODIES of tests/api/test_route_scoping.py"
            )
        text = json.dumps(BODIES[op.operation_id]).replace("{bob_project}", ids["bob_project"])
        body = json.loads(text)
    return op.method, url, body, params


def answer(
    c: TestClient, op: Any, ids: dict[str, str], nowhere: bool
) -> tuple[int, str, str, str]:
    """Status, error code, message with the ids sent replaced, and the raw body."""
    method, url, body, params = request_for(op, ids, nowhere=nowhere)
    r = c.request(method, url, json=body, params=params, follow_redirects=False)
    text = r.text
    try:
        data = r.json()
        code, message = data.get("error", ""), data.get("message", "")
    except ValueError:
        code, message = "", text
    for v in (*ids.values(), NOWHERE):  # the ids Bob sent may come back, nothing else
        message = message.replace(v, "<id>")
    message = re.sub(r"nowhere_\w+", "<id>", message)
    return r.status_code, code, message, text
