"""Chat with a workflow: a message starts the workflow at its Chat Trigger
(``ai.chat_trigger``) as the caller; the answer is its last node's output.

The HTTP route (``POST /api/v1/workflows/{id}/chat``) and the studio's chat panel use
:func:`prepare` (who may chat, which node starts it), start the run through
:mod:`engine.services.executions` while following its live events, then read
:func:`answer`. Only workflows the caller may execute can be chatted with; another
project's workflow is "not found", as a missing one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from engine.auth.types import Principal
from engine.errors import ValidationError
from engine.services import executions
from engine.services.principals import RunAs, find_workflow
from engine.services.store import get_store

__all__ = ["CHAT_TRIGGER", "ChatRun", "answer", "prepare"]

CHAT_TRIGGER = "ai.chat_trigger"
ANSWER_FIELDS = ("answer", "text", "output")
MAX_MESSAGE = 32_000


@dataclass(frozen=True)
class ChatRun:
    """A chat message's run, ready to start (its id is chosen, so events can be
    followed before it starts)."""

    spec: executions.RunSpec
    session_id: str

    @property
    def execution_id(self) -> str:
        assert self.spec.execution_id is not None
        return self.spec.execution_id


def prepare(
    principal: Principal,
    workflow_ref: str,
    message: str,
    session_id: str | None = None,
    *,
    runtime: Any = None,
) -> ChatRun:
    """The run of ``message`` sent to workflow ``workflow_ref`` by ``principal``.

    Raises:
        NotFoundError: no such workflow that the caller may execute.
        ValidationError: an empty or too long message; no Chat Trigger in the workflow.
    """
    if not message.strip():
        raise ValidationError("The message is empty: write something to send.")
    if len(message) > MAX_MESSAGE:
        raise ValidationError(f"The message is too long (at most {MAX_MESSAGE} characters).")
    rec = find_workflow(RunAs.caller(principal), workflow_ref)
    definition = get_store().workflows.definition(rec.id)
    trigger = next(
        (
            n["name"]
            for n in definition.get("nodes", [])
            if n.get("type") == CHAT_TRIGGER and not n.get("disabled")
        ),
        None,
    )
    if trigger is None:
        raise ValidationError(
            f"Workflow '{rec.name}' has no chat trigger: add a 'When Chat Message Received' "
            "node where the conversation should start.",
            details={"workflow_id": rec.id},
        )
    sid = session_id or uuid.uuid4().hex
    spec = executions.RunSpec(
        principal=RunAs.caller(principal, rec.project_id),
        workflow_id=rec.id,
        start_node=trigger,
        input_items=[_item({"chat_input": message, "session_id": sid})],
        trigger={"kind": "chat", "node": trigger},
        runtime=runtime,
        execution_id=uuid.uuid4().hex,
    )
    return ChatRun(spec, sid)


def _item(data: dict[str, Any]) -> Any:
    from engine.sdk import Item

    return Item(json=data)


def answer(execution_id: str) -> dict[str, Any]:
    """The finished run's answer: ``text`` (the last node's first item's ``answer``,
    ``text`` or ``output``), ``status`` and, when it failed, ``error`` (its message)."""
    execution = executions.get(execution_id)
    status = str(execution["status"])
    text = ""
    runs = execution.get("node_runs") or []
    for run in reversed(runs):
        items = (run.get("outputs") or {}).get("main") or []
        if items:
            data = items[0].get("json") or {}
            text = next((str(data[f]) for f in ANSWER_FIELDS if data.get(f)), "")
            break
    out: dict[str, Any] = {"text": text, "status": status, "execution_id": execution_id}
    if execution.get("error"):
        out["error"] = str((execution["error"] or {}).get("message") or "The run failed.")
    return out
