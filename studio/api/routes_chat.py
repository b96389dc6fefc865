"""``POST /api/v1/workflows/{id}/chat``: send a chat message to a workflow with a Chat
Trigger and receive the answer as Server-Sent Events (:mod:`engine.services.chat`)::

    event: started   data: {"execution_id": "...", "session_id": "..."}
    event: delta     data: {"text": "It will"}          (a streaming AI Agent's pieces)
    event: node      data: {"node": "Agent", "status": "succeeded"}
    event: answer    data: {"text": "It will be sunny", "status": "succeeded", ...}

A failed run ends with ``event: error`` (``message``) after its ``answer``. The run is an
ordinary execution of the caller (recorded, visible under executions).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from studio.api.routing import Call, Router
from studio.api.schemas import In

__all__ = ["router"]

router = Router("Chat")
IDLE_LIMIT_S = 600


class ChatIn(In):
    message: str = Field(..., min_length=1, max_length=32_000, description="The message.")
    session_id: str | None = Field(
        None,
        max_length=200,
        description="The conversation to continue (a new one when absent; the answer's "
        "'started' event names it).",
    )


def _frame(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


async def _stream(call: Call, chat_run: Any) -> AsyncIterator[str]:
    from engine.services import chat, events, executions

    eid = chat_run.execution_id
    sub = await events.asubscribe(eid)
    task = asyncio.ensure_future(run_in_threadpool(executions.start, chat_run.spec))
    try:
        yield _frame("started", {"execution_id": eid, "session_id": chat_run.session_id})
        idle = 0.0
        while idle < IDLE_LIMIT_S:
            ev = await sub.get(0.5)
            if ev is None:
                idle += 0.5
                if task.done() and task.exception() is not None:
                    break  # it could not even start
                if await call.request.is_disconnected():
                    return
                continue
            idle = 0.0
            kind = ev.get("type")
            if kind == "agent.delta":
                yield _frame("delta", {"text": ev.get("text", ""), "node": ev.get("node")})
            elif kind == "node.finished":
                yield _frame("node", {"node": ev.get("node"), "status": ev.get("status")})
            elif kind == "execution.finished":
                break
        if task.done() and task.exception() is not None:
            exc = task.exception()
            message = getattr(exc, "message", None) or "The run could not start."
            yield _frame("error", {"message": message})
            return
        result = await run_in_threadpool(chat.answer, eid)
        yield _frame("answer", result)
        if result.get("error"):
            yield _frame("error", {"message": result["error"]})
    finally:
        with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
            await sub.aclose()


@router.post(
    "/workflows/{id}/chat",
    action="workflow:execute",
    summary="Chat with a workflow",
    body=ChatIn,
    media_type="text/event-stream",
    errors=(404, 422),
    resource="workflow",
)
async def chat_with_workflow(call: Call) -> Response:
    """Starts the workflow at its Chat Trigger with the message (and session id) and
    streams the run: ``started``, ``delta`` (answer pieces of a streaming AI Agent),
    ``node`` (each finished node), ``answer`` (the last node's answer, with status), and
    ``error`` when it failed."""
    from engine.services import chat

    body: ChatIn = call.body
    chat_run = await run_in_threadpool(
        chat.prepare,
        call.principal,
        call.path["id"],
        body.message,
        body.session_id,
        runtime=call.runner.name if call.runner.name in ("inline", "rq") else None,
    )
    return StreamingResponse(
        _stream(call, chat_run),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
