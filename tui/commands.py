"""Command palette provider (ctrl+p): open a workflow by name, or an execution by id.

The static commands (go to a screen, theme, sign out, reconnect, help) are the app's
system commands; this provider adds what depends on the server's data, fetched once
each time the palette opens.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.errors import ConsoleError
from tui.models import ExecutionSummary, WorkflowSummary

if TYPE_CHECKING:
    from tui.app import AuraConsole

__all__ = ["ConsoleCommands"]


class ConsoleCommands(Provider):
    """Workflows and recent executions of the signed-in server."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._workflows: list[WorkflowSummary] = []
        self._executions: list[ExecutionSummary] = []

    @property
    def aura(self) -> AuraConsole:
        return cast("AuraConsole", self.app)

    async def startup(self) -> None:
        if not self.aura.signed_in:
            return
        try:
            self._workflows = (await self.aura.client.workflows(limit=500)).items
            self._executions = (await self.aura.client.executions(limit=30)).items
        except ConsoleError:
            self._workflows, self._executions = [], []

    def _open_workflow(self, workflow_id: str) -> None:
        from tui.screens.workflows import WorkflowsScreen

        self.aura.action_show("workflows")
        screen = self.aura.screen
        if isinstance(screen, WorkflowsScreen):
            screen.select_workflow(workflow_id)

    def _open_execution(self, execution_id: str) -> None:
        from tui.screens.execution_detail import ExecutionDetailScreen

        self.aura.push_screen(ExecutionDetailScreen(execution_id))

    def _candidates(self) -> list[tuple[str, str, partial[None]]]:
        out = [(f"Open workflow {w.name}", f"{'active' if w.active else 'inactive'} · "
                f"v{w.version} · {w.id[:8]}", partial(self._open_workflow, w.id))
               for w in self._workflows]
        out += [(f"Open execution {e.id[:8]} ({e.workflow_name})", f"{e.status} · "
                 f"{e.mode}", partial(self._open_execution, e.id))
                for e in self._executions]
        return out

    async def discover(self) -> Hits:
        for name, help_text, callback in self._candidates()[:10]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._candidates():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        typed = query.strip().lower()
        if len(typed) >= 6 and all(c in "0123456789abcdef" for c in typed):
            known = [e.id for e in self._executions if e.id.startswith(typed)]
            if known or len(typed) == 32:
                full = known[0] if known else typed
                yield Hit(1.0, f"Open execution {full}", partial(self._open_execution, full),
                          help="The execution with this id")
