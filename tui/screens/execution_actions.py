"""Retry, cancel and delete an execution: shared by the execution list and the detail
screen (each reports through the screen and then reloads it)."""

from __future__ import annotations

from collections.abc import Callable

from tui.screens.base import ConsoleScreen
from tui.screens.confirm import ConfirmDialog

__all__ = ["cancel", "delete", "retry"]


def retry(screen: ConsoleScreen, execution_id: str,
          then: Callable[[str], None] | None = None) -> None:
    """Runs the execution again; ``then`` receives the new execution's id."""
    async def go() -> None:
        new_id = await screen.client.retry_execution(execution_id)
        screen.notify(f"Retrying {execution_id[:8]} as {new_id[:8]}.", timeout=3)
        if then is not None:
            then(new_id)
        await screen.reload()

    screen.run_worker(screen.guard(go()), group="action")


def cancel(screen: ConsoleScreen, execution_id: str) -> None:
    """Stops a queued, waiting or running execution."""
    async def go() -> None:
        await screen.client.cancel_execution(execution_id)
        screen.notify(f"Cancelled {execution_id[:8]}.", timeout=3)
        await screen.reload()

    screen.run_worker(screen.guard(go()), group="action")


def delete(screen: ConsoleScreen, execution_id: str,
           then: Callable[[], None] | None = None) -> None:
    """Asks, then deletes a finished execution; ``then`` runs after the deletion."""
    async def go() -> None:
        await screen.client.delete_execution(execution_id)
        screen.notify(f"Deleted execution {execution_id[:8]}.", timeout=3)
        if then is not None:
            then()
        else:
            await screen.reload()

    def answered(yes: bool | None) -> None:
        if yes:
            screen.run_worker(screen.guard(go()), group="action")

    screen.app.push_screen(ConfirmDialog(f"Delete execution {execution_id[:8]} and its "
                                         "recorded data? This cannot be undone."),
                           callback=answered)
