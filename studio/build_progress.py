"""Reflex's build progress bar, counted so it never reads more steps done than there are.

Reflex 0.10's compiler counts 7 fixed steps but advances 8, so the first start of
``aura up`` (and every production build) ended on ``Compiling: … 65/64``. Rather than
copy the count (it changes with Reflex releases), the bar grows its total to what is
done whenever a step goes past it, so it ends on ``n/n``. :func:`install` runs when the
app module is imported, which Reflex does before it compiles.
"""

from __future__ import annotations

from typing import Any

from reflex_base.utils.console import PoorProgress
from rich.progress import Progress, TaskID

__all__ = ["BoundedPoorProgress", "BoundedProgress", "install"]


class BoundedProgress(Progress):
    """A rich progress bar whose tasks never show more completed than their total."""

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        task = self._tasks.get(task_id)
        if task is not None and task.total is not None and task.completed + advance > task.total:
            self.update(task_id, total=task.completed + advance)
        super().advance(task_id, advance)


class BoundedPoorProgress(PoorProgress):
    """Reflex's plain-text progress (``Progress: n/m``, without a terminal) with the
    same bound."""

    def advance(self, task: TaskID, advance: int = 1) -> None:
        t = self.tasks.get(task)
        if t is not None and t["current"] + advance > t["total"]:
            self.update(task, total=t["current"] + advance)
        super().advance(task, advance)


def _bounded(original: Any) -> Any:
    def progress() -> Progress:
        bar = original()
        return BoundedProgress(*bar.columns, console=bar.console, disable=bar.disable)

    progress.aura_bounded = True  # type: ignore[attr-defined]
    return progress


def install() -> None:
    """Makes Reflex's ``console.progress()`` and ``console.PoorProgress`` bounded (once)."""
    from reflex.utils import console

    if not getattr(console.progress, "aura_bounded", False):
        console.progress = _bounded(console.progress)
    console.PoorProgress = BoundedPoorProgress  # type: ignore[misc]
