"""The tool-calling loop: the model answers or asks for tools; AURA runs the tools and
hands their results back as observations, until a final answer or the iteration limit.

Tools are given by the caller (:class:`Tool`); the model can call only those. A tool's
output is data for the model, never instructions to AURA. An unknown tool, arguments
that are not a JSON object, or a tool that fails become an observation the model sees
(it may correct itself), not a crash; unreadable arguments a second time in a row end
the run with a clear error. Every model call and tool call is a step, kept with
its timing and tokens.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.agents.providers import ChatModel
from engine.agents.types import Message, ToolCall, ToolDef, Usage
from engine.errors import AuraError, ExecutionCancelled, ExecutionTimeout

__all__ = ["AgentLimitReached", "AgentRun", "MalformedToolCall", "Tool", "run_agent"]

MAX_OBSERVATION_CHARS = 20_000


class MalformedToolCall(AuraError):
    """The model could not give readable tool arguments even after being told once."""

    code = "malformed_tool_call"
    http_status = 422


class AgentLimitReached(AuraError):
    """The agent used up its model calls without giving a final answer."""

    code = "agent_limit_reached"
    http_status = 422


@dataclass(frozen=True)
class Tool:
    """A tool the model may call: its definition and the function that runs it (it gets
    the arguments object and returns JSON-able data or text)."""

    definition: ToolDef
    call: Callable[[dict[str, Any]], Any]


@dataclass
class AgentRun:
    """What a run produced: the answer, the new messages, the steps and the tokens."""

    answer: str
    messages: list[Message]
    steps: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    model_calls: int = 0


def _observation(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if len(text) > MAX_OBSERVATION_CHARS:
        text = text[:MAX_OBSERVATION_CHARS] + " …(cut)"
    return text


def _run_tool(call: ToolCall, tools: dict[str, Tool]) -> tuple[str, bool]:
    """The observation for ``call`` and whether the tool succeeded."""
    tool = tools.get(call.name)
    if tool is None:
        names = ", ".join(sorted(tools)) or "none"
        return f"Error: there is no tool named '{call.name}'. Available tools: {names}.", False
    if call.arguments is None:
        return (
            f"Error: the arguments of '{call.name}' must be a JSON object; got "
            f"{call.raw[:200]!r}. Call the tool again with valid JSON."
        ), False
    try:
        return _observation(tool.call(call.arguments)), True
    except (ExecutionCancelled, ExecutionTimeout):
        raise  # the run stops; this is not something for the model to see
    except AuraError as exc:
        return f"Error: the tool '{call.name}' failed: {exc.message}", False
    except Exception as exc:
        return f"Error: the tool '{call.name}' failed: {type(exc).__name__}: {exc}", False


def run_agent(
    model: ChatModel,
    *,
    system: str,
    history: Sequence[Message],
    prompt: str,
    tools: Sequence[Tool] = (),
    max_iterations: int = 10,
    check: Callable[[], None] | None = None,
) -> AgentRun:
    """Runs the loop for one user ``prompt`` after ``history``.

    Args:
        check: called before each model call (e.g. to stop a cancelled execution).

    Raises:
        AgentLimitReached: ``max_iterations`` model calls gave no final answer.
        MalformedToolCall: tool arguments were unreadable twice in a row (the model is
            told the first time and may repair them).
        ModelError: the provider failed.
    """
    by_name = {t.definition.name: t for t in tools}
    defs = [t.definition for t in tools]
    new = [Message("user", prompt)]
    run = AgentRun("", new)
    malformed = 0  # replies in a row with unreadable tool arguments
    for _ in range(max_iterations):
        if check is not None:
            check()
        started = time.perf_counter()
        reply = model.complete(system, [*history, *new], defs)
        run.model_calls += 1
        run.usage.add(reply.usage)
        run.steps.append(
            {
                "type": "model",
                "model": reply.model,
                "text": reply.text,
                "tool_calls": [
                    {"name": c.name, "arguments": c.arguments} for c in reply.tool_calls
                ],
                "tokens": reply.usage.to_dict(),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
        new.append(reply.as_message())
        if not reply.tool_calls:
            run.answer = reply.text
            return run
        bad = next((c for c in reply.tool_calls if c.arguments is None), None)
        malformed = malformed + 1 if bad is not None else 0
        if bad is not None and malformed > 1:  # it was told once and could not repair it
            raise MalformedToolCall(
                f"The model sent arguments for the tool '{bad.name}' that are not a JSON "
                f"object, again after being told (last: {bad.raw[:200]!r}). Try another "
                "model, or describe the tool's arguments more plainly.",
                details={"tool": bad.name, "usage": run.usage.to_dict()},
            )
        for call in reply.tool_calls:
            started = time.perf_counter()
            observation, ok = _run_tool(call, by_name)
            run.steps.append(
                {
                    "type": "tool",
                    "name": call.name,
                    "arguments": call.arguments,
                    "output": observation,
                    "ok": ok,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                }
            )
            new.append(Message("tool", observation, tool_call_id=call.id))
    last = [s["name"] for s in run.steps if s["type"] == "tool"][-3:]
    raise AgentLimitReached(
        f"The agent made {max_iterations} model calls without a final answer (it kept "
        f"calling tools: {', '.join(last)}). Raise 'Max iterations' if "
        "the task needs more steps, or say in the system prompt when to stop and answer.",
        details={
            "max_iterations": max_iterations,
            "usage": run.usage.to_dict(),
            "last_tools": last,
        },
    )
