"""The AURA studio: a Reflex app with every page registered explicitly.

Run it from the repository root: ``reflex run`` (development) or
``reflex run --env prod`` (production; see docs/studio.md).
"""

from __future__ import annotations

import reflex as rx

from studio.api.mount import with_api
from studio.auth import requires_login
from studio.build_progress import install as _bound_build_progress
from studio.pages.account import account_page
from studio.pages.admin_api_keys import admin_api_keys_page
from studio.pages.admin_audit import admin_audit_page
from studio.pages.admin_projects import admin_projects_page
from studio.pages.admin_security import admin_security_page
from studio.pages.admin_users import admin_users_page
from studio.pages.agent_view import agent_page
from studio.pages.agents import agents_page, approvals_page
from studio.pages.analytics import analytics_page
from studio.pages.credentials import credentials_page
from studio.pages.editor import editor_page
from studio.pages.executions import execution_page, executions_page
from studio.pages.knowledge import knowledge_page
from studio.pages.knowledge_base import knowledge_base_page
from studio.pages.login import invite_page, login_page, reset_page, setup_page
from studio.pages.marketplace import marketplace_page
from studio.pages.mcp_servers import mcp_servers_page
from studio.pages.settings import settings_page
from studio.pages.variables import variables_page
from studio.pages.workflows import workflows_page
from studio.state.admin_api_keys import AdminApiKeysState
from studio.state.admin_audit import AdminAuditState
from studio.state.admin_projects import AdminProjectsState
from studio.state.admin_security import AdminSecurityState
from studio.state.admin_users import AdminUsersState
from studio.state.agent_view import AgentViewState
from studio.state.agents import AgentsState
from studio.state.analytics import AnalyticsState
from studio.state.auth import InviteState, LoginState, ResetState, SetupState
from studio.state.auth_account import AccountState
from studio.state.credentials import CredentialsState
from studio.state.editor import EditorState
from studio.state.execution_view import ExecutionViewState
from studio.state.executions import ExecutionsState
from studio.state.knowledge import KnowledgeState
from studio.state.knowledge_base import KnowledgeBaseState
from studio.state.marketplace import MarketplaceState
from studio.state.mcp_servers import McpServersState
from studio.state.settings import SettingsState
from studio.state.variables import VariablesState
from studio.state.workflows import WorkflowsState

__all__ = ["app"]

# The tab icon, inline (the repository has no assets folder): an indigo "A" on a rounded tile.
# Declaring it also stops browsers asking for /favicon.ico, which was a 404 on every page.
_FAVICON = (
    "data:image/svg+xml,"
    "%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E"
    "%3Crect width='32' height='32' rx='7' fill='%234f46e5'/%3E"
    "%3Ctext x='16' y='23' font-family='Arial,sans-serif' font-size='20' font-weight='700' "
    "text-anchor='middle' fill='white'%3EA%3C/text%3E%3C/svg%3E"
)

_bound_build_progress()  # before Reflex compiles this app: its bar ended on "65/64"

app = rx.App(
    toaster=rx.toast.provider(position="bottom-right", close_button=True),
    api_transformer=with_api,
    head_components=[rx.el.link(rel="icon", type="image/svg+xml", href=_FAVICON)],
)

PAGES = [
    (workflows_page, "/", "Workflows", WorkflowsState.load),
    (workflows_page, "/workflows", "Workflows", WorkflowsState.load),
    (editor_page, "/workflows/[workflow_id]", "Editor", EditorState.load),
    (executions_page, "/executions", "Executions", ExecutionsState.load),
    (execution_page, "/executions/[execution_id]", "Execution", ExecutionViewState.load_execution),
    (analytics_page, "/analytics", "Analytics", AnalyticsState.load),
    (agents_page, "/agents", "Agents", AgentsState.load),
    (agent_page, "/agents/[agent_id]", "Agent", AgentViewState.load),
    (approvals_page, "/approvals", "Approvals", AgentsState.load),
    (mcp_servers_page, "/mcp-servers", "MCP servers", McpServersState.load),
    (knowledge_page, "/knowledge", "Knowledge", KnowledgeState.load),
    (knowledge_base_page, "/knowledge/[kb_id]", "Knowledge base", KnowledgeBaseState.load),
    (credentials_page, "/credentials", "Credentials", CredentialsState.load),
    (variables_page, "/variables", "Variables", VariablesState.load),
    (settings_page, "/settings", "Settings", SettingsState.load),
    (account_page, "/account", "My account", AccountState.load),
    (admin_users_page, "/admin/users", "Users", AdminUsersState.load),
    (admin_projects_page, "/admin/projects", "Projects", AdminProjectsState.load),
    (admin_api_keys_page, "/admin/api-keys", "API keys", AdminApiKeysState.load),
    (admin_audit_page, "/admin/audit", "Audit log", AdminAuditState.load),
    (admin_security_page, "/admin/security", "Security", AdminSecurityState.load),
    (marketplace_page, "/admin/marketplace", "Marketplace", MarketplaceState.load),
]
PUBLIC_PAGES = [  # no sign-in needed (each redirects once it makes no sense)
    (login_page, "/login", "Sign in", LoginState.load),
    (setup_page, "/setup", "Set up", SetupState.load),
    (invite_page, "/invite", "Join", InviteState.load),
    (invite_page, "/accept-invitation", "Join", InviteState.load),
    (reset_page, "/reset-password", "Reset password", ResetState.load),
]
for component, route, title, on_load in PAGES:
    app.add_page(component, route=route, title=f"{title} · AURA", on_load=requires_login(on_load))
for component, route, title, on_load in PUBLIC_PAGES:
    app.add_page(component, route=route, title=f"{title} · AURA", on_load=on_load)
