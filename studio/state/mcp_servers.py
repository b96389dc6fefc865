"""The MCP servers page (``/mcp-servers?project=<id>``): the MCP servers a project's agents
may use — list them, add or edit one in a form, remove one, and test the connection
(which lists the tools an agent would be offered), all through
:mod:`engine.services.mcp` as the signed-in user."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic.mcp_form import EMPTY, field_errors, from_form, row, to_form

__all__ = ["McpServersState"]

CREDENTIAL_KINDS = ("bearer", "header_auth")


class McpServersState(AuthState):
    projects: list[dict[str, str]] = []
    project_id: str = ""
    servers: list[dict[str, str]] = []
    credentials: list[dict[str, str]] = []
    dialog_open: bool = False
    editing: str = ""
    form: dict[str, str] = dict(EMPTY)
    errors: dict[str, str] = {}
    form_error: str = ""
    tested: str = ""
    test_tools: list[dict[str, str]] = []
    test_error: str = ""
    testing: str = ""
    deleting: str = ""
    _configs: dict[str, dict[str, Any]] = {}

    @rx.event
    def load(self) -> Any:
        from engine.services import auth

        p = self.principal_or_none()
        if p is None:
            return None
        self.projects = [{"id": pr.id, "name": pr.name} for pr in auth.list_projects(p)]
        wanted = str(self.router.url.query_parameters.get("project", "") or "")
        ids = [pr["id"] for pr in self.projects]
        default = auth.default_project(p) or (ids[0] if ids else "")
        self.project_id = wanted if wanted in ids else (self.project_id or default)
        self._refresh()
        return None

    def _refresh(self) -> None:
        from engine.services import credentials, mcp

        p = self.principal()
        try:
            configs = [s.model_dump(mode="json") for s in mcp.list_servers(p, self.project_id)]
        except Exception as exc:
            self.servers, self._configs = [], {}
            self.form_error = getattr(exc, "message", str(exc))
            return
        creds = [c for c in credentials.list_credentials(p) if c.kind in CREDENTIAL_KINDS]
        self.credentials = [{"id": c.id, "label": f"{c.name} ({c.kind})"} for c in creds]
        names = {c.id: c.name for c in creds}
        self._configs = {c["name"]: c for c in configs}
        self.servers = [row(c, names) for c in configs]
        self.tested, self.test_tools, self.test_error = "", [], ""

    @rx.event
    def choose_project(self, project_id: str) -> None:
        self.project_id = project_id
        self.form_error = ""
        self._refresh()

    # -- the form ---------------------------------------------------------------------------
    @rx.event
    def open_new(self) -> None:
        self.editing, self.form, self.errors, self.form_error = "", dict(EMPTY), {}, ""
        self.dialog_open = True

    @rx.event
    def open_edit(self, name: str) -> None:
        config = self._configs.get(name)
        if config is None:
            return
        self.editing, self.form, self.errors, self.form_error = name, to_form(config), {}, ""
        self.dialog_open = True

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    def set_form(self, key: str, value: str) -> None:
        self.form = {**self.form, key: value}
        self.errors = {k: v for k, v in self.errors.items() if k != key}

    @rx.event
    def save(self) -> Any:
        from engine.services import mcp

        config, errors = from_form(self.form)
        if errors:
            self.errors, self.form_error = errors, "Correct the settings marked in red."
            return None
        p = self.principal()
        try:
            saved = mcp.save_server(p, self.project_id, config)
            if self.editing and self.editing != saved.name:  # renamed: drop the old name
                mcp.delete_server(p, self.project_id, self.editing)
        except Exception as exc:
            details = getattr(exc, "details", None)
            self.errors = field_errors(details)
            self.form_error = getattr(exc, "message", str(exc))
            return None
        self.dialog_open, self.errors, self.form_error = False, {}, ""
        self._refresh()
        return rx.toast.success(f"Saved the MCP server '{saved.name}'.")

    # -- removing and testing --------------------------------------------------------------
    @rx.event
    def ask_delete(self, name: str) -> None:
        self.deleting = name

    @rx.event
    def cancel_delete(self) -> None:
        self.deleting = ""

    @rx.event
    def delete(self) -> Any:
        from engine.services import mcp

        name, self.deleting = self.deleting, ""
        try:
            mcp.delete_server(self.principal(), self.project_id, name)
        except Exception as exc:
            return self.refuse(exc)
        self._refresh()
        return rx.toast.success(f"Removed the MCP server '{name}'.")

    @rx.event(background=True)
    async def test(self, name: str) -> Any:
        """Connects to the server and lists its tools (a stdio server is started)."""
        import asyncio

        from engine.services import mcp

        async with self:
            if self.testing:
                return None
            self.testing, self.tested, self.test_tools, self.test_error = name, name, [], ""
            principal, project = self.principal(), self.project_id
        try:
            tools = await asyncio.to_thread(mcp.test_server, principal, project, name)
            error = ""
        except Exception as exc:
            tools, error = [], getattr(exc, "message", str(exc))
        async with self:
            self.testing = ""
            self.test_error = error
            self.test_tools = [
                {
                    "name": t["name"],
                    "called_as": t["called_as"],
                    "description": t["description"],
                    "arguments": ", ".join(t["arguments"]) or "none",
                }
                for t in tools
            ]
        return None
