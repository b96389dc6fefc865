"""The agent editor: an agent's settings as form fields (model and its credential,
strategy, memory, limits, approvals, budget) and its tools picked from lists (workflows
as tools, built-in tools, Python code, nodes that can be tools with their parameters and
credentials, knowledge bases and MCP servers of the agent's project).

The form is plain data (:mod:`studio.logic.agent_form`); saving checks every field and
says what to enter beside the wrong ones, then saves a new version through
``engine.services.agents.save_agent`` (which checks again, and may refuse a credential or
workflow the user may not use: that too lands beside its field).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic.agent_form import field_errors, from_form, to_form, tool_row
from studio.logic.agent_node_tools import field_rows

__all__ = ["AgentEditorState"]


class AgentEditorState(AuthState):
    agent_id: str = ""
    project_id: str = ""
    instructions: str = ""
    fields: dict[str, str] = {}
    tools: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    form_error: str = ""
    picker_open: bool = False
    credentials: list[dict[str, str]] = []
    workflows: list[dict[str, str]] = []
    knowledge_bases: list[dict[str, str]] = []
    mcp_servers: list[dict[str, str]] = []
    rerankers: list[str] = []
    nodes: list[dict[str, str]] = []
    node_fields: list[dict[str, str]] = []
    _choices: dict[str, Any] = {}

    @rx.event
    def load(self) -> Any:
        from engine.services import agent_choices, agents

        self.agent_id = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        p = self.principal_or_none()
        if p is None:
            return None
        try:
            view = agents.get_agent(p, self.agent_id)
            choices = agent_choices.editor_choices(p, self.agent_id)
        except Exception as exc:
            self.form_error = getattr(exc, "message", str(exc))
            return None
        self._choices = choices
        self.project_id = choices["project_id"] or ""
        self.credentials = [
            {"id": c["id"], "label": f"{c['name']} ({c['kind']})", "provider": c["provider"]}
            for c in choices["credentials"]
        ]
        self.workflows = [
            {"id": w["id"], "name": w["name"], "arguments": w["arguments"]}
            for w in choices["workflows"]
        ]
        self.knowledge_bases = [
            {"name": b["name"], "description": b["description"]} for b in choices["knowledge_bases"]
        ]
        self.mcp_servers = list(choices["mcp_servers"])
        self.rerankers = list(choices["rerankers"])
        self.nodes = [
            {"type": n["type"], "title": n["title"], "description": n["description"]}
            for n in choices["nodes"]
        ]
        self.instructions, self.fields, self.tools = to_form(view.definition, choices)
        self.errors, self.form_error = {}, ""
        self._refresh_node_fields()
        return None

    def _refresh_node_fields(self) -> None:
        self.node_fields = field_rows(self.tools, self._choices)

    # -- fields -----------------------------------------------------------------------------
    @rx.event
    def set_instructions(self, value: str) -> None:
        self.instructions = value

    @rx.event
    def set_field(self, key: str, value: str) -> None:
        self.fields = {**self.fields, key: value}
        if key == "credential_id":  # the credential's kind says which provider it speaks
            found = next((c for c in self.credentials if c["id"] == value), None)
            if found is not None:
                self.fields = {**self.fields, "provider": found["provider"]}
        self.errors = {k: v for k, v in self.errors.items() if k != key}

    @rx.event
    def set_switch(self, key: str, on: bool) -> None:
        self.set_field(key, "true" if on else "")

    # -- tools ------------------------------------------------------------------------------
    @rx.event
    def set_picker_open(self, value: bool) -> None:
        self.picker_open = value

    @rx.event
    def add_tool(self, kind: str, target: str) -> None:
        row = tool_row(kind, target, choices=self._choices)
        taken = {t["name"] for t in self.tools}
        base, n = row["name"], 2
        while row["name"] in taken:
            row["name"] = f"{base[:60]}_{n}"
            n += 1
        self.tools = [*self.tools, row]
        self.picker_open = False
        self._refresh_node_fields()

    @rx.event
    def set_tool_field(self, index: int, key: str, value: str) -> None:
        self.tools = [
            {**t, key: value, "error": ""} if i == index else t for i, t in enumerate(self.tools)
        ]

    @rx.event
    def set_tool_rerank(self, index: int, value: str) -> None:
        """A knowledge tool's re-ranker from its select ('none': the search's own order)."""
        self.set_tool_field(index, "rerank", "" if value == "none" else value)

    @rx.event
    def set_tool_sensitive(self, index: int, on: bool) -> None:
        self.set_tool_field(index, "sensitive", "true" if on else "")

    @rx.event
    def remove_tool(self, index: int) -> None:
        self.tools = [t for i, t in enumerate(self.tools) if i != index]
        self._refresh_node_fields()

    def _set_json(self, index: int, column: str, key: str, value: Any) -> None:
        import json

        row = self.tools[index]
        data = json.loads(row.get(column) or "{}")
        data[key] = value
        self.set_tool_field(index, column, json.dumps(data))
        self._refresh_node_fields()

    @rx.event
    def set_node_param(self, index: str, key: str, value: str) -> None:
        """A node tool's parameter as typed (the row keeps text; saving types it)."""
        self._set_json(int(index), "params", key, value)

    @rx.event
    def set_node_switch(self, index: str, key: str, on: bool) -> None:
        self._set_json(int(index), "params", key, on)

    @rx.event
    def set_node_credential(self, index: str, slot: str, value: str) -> None:
        self._set_json(int(index), "creds", slot, value)

    # -- saving -----------------------------------------------------------------------------
    def _show(self, errors: dict[str, str], message: str) -> None:
        self.tools = [
            {**t, "error": errors.get(f"tools.{i}", "")} for i, t in enumerate(self.tools)
        ]
        self.errors = {k: v for k, v in errors.items() if not k.startswith("tools.")}
        self.form_error = message

    @rx.event
    def save(self) -> Any:
        from engine.services import agents

        definition, errors = from_form(
            self.instructions, self.fields, self.tools, self._choices.get("rerankers")
        )
        if errors:
            n = len(errors)
            self._show(errors, f"{n} setting{'s' if n > 1 else ''} to correct before saving.")
            return None
        try:
            view = agents.save_agent(self.principal(), self.agent_id, definition)
        except Exception as exc:
            message = getattr(exc, "message", str(exc))
            details = getattr(exc, "details", None)
            if getattr(exc, "code", "") == "validation_error":
                names = [t["name"] for t in self.tools]
                self._show(field_errors(details, message, names), message)
                return None
            return self.refuse(exc)
        self._show({}, "")
        self.instructions, self.fields, self.tools = to_form(view.definition, self._choices)
        self._refresh_node_fields()
        return rx.toast.success(f"Saved version {view.version}.")
