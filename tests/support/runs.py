"""Starting runs in tests through the one door, in the keywords tests used to pass to the
old ``engine.runtimes.submit``::

    from tests.support.runs import submit

    eid = submit(definition=FLOW, mode="webhook", input_items=[...], trigger_node="Hook")

Each call builds a :class:`~engine.services.executions.RunSpec` (as a trigger of the
workflow's project unless ``principal`` is given; on the workers unless ``runtime``
says ``inline``) and calls :func:`engine.services.executions.start`.
"""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk.items import Item

__all__ = ["submit"]


def submit(
    *,
    workflow_id: str | None = None,
    definition: dict[str, Any] | None = None,
    mode: str = "manual",
    input_items: list[Item] | None = None,
    trigger_node: str | None = None,
    runtime: Literal["rq", "inline"] = "rq",
    published: bool | None = None,
    parent_execution_id: str | None = None,
    retry_of: str | None = None,
    trigger: dict[str, Any] | None = None,
    execution_id: str | None = None,
    queue: str | None = None,
    principal: Any = None,
) -> str:
    """Starts a run and returns its execution id (see the module)."""
    from engine.services.executions import RunSpec, start
    from engine.services.principals import RunAs

    spec = RunSpec(
        principal=principal or RunAs.trigger(),
        workflow_id=workflow_id,
        definition=definition,
        version=None if published is None else ("published" if published else "draft"),
        mode=mode,
        input_items=input_items,
        start_node=trigger_node,
        trigger=trigger,
        runtime=runtime,
        execution_id=execution_id,
        queue=queue,
        retry_of=retry_of,
        parent_execution_id=parent_execution_id,
    )
    return start(spec).id
