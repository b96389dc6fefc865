"""The thinking engine of agent runs: the tool-calling loop and plan-and-execute, durable.

A run is a sequence of :class:`Step` s (model call, plan, tool call with its observation,
approval, final answer), each written to a :class:`Journal` as soon as it has finished.
:class:`Thinker` first *replays* the steps the journal already holds (a run resumed on
another worker after its first one died) to rebuild the conversation, then continues
from there: a model call or tool call that finished is never made again.

* ``tools`` strategy: the model answers or asks for tools; their observations go back
  to it, until a final answer.
* ``plan`` strategy: the model writes a structured plan (JSON Schema output: steps with
  a goal, a tool and its arguments); each step's tool runs; a failed step makes the
  model re-plan the rest (at most :data:`MAX_REPLANS` times); a last model call writes
  the answer from the results.

A tool marked sensitive is called only once the journal has a person's decision: until
then :class:`Parked` is raised (the run waits, holding no worker). Unknown tools, bad
arguments, failing or rejected tools are observations the model sees, not crashes.
Limits (steps, tokens, cost, active seconds) end the run with
:class:`~engine.agents.loop.AgentLimitReached` naming the limit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from engine.agents.definition import Limits
from engine.agents.loop import AgentLimitReached, MalformedToolCall, Tool, _run_tool
from engine.agents.providers import ChatModel
from engine.agents.types import Message, Reply, ToolCall, ToolDef, Usage
from engine.errors import AuraError
from engine.store.types import utcnow

__all__ = [
    "MAX_REPLANS",
    "PLAN_SCHEMA",
    "ApprovalExpired",
    "Journal",
    "MalformedPlan",
    "Parked",
    "Step",
    "Thinker",
]

MAX_REPLANS = 2
PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "goal": {"type": "string"},
                    "tool": {"type": ["string", "null"]},
                    "arguments": {"type": "object"},
                },
                "required": ["goal"],
            },
        }
    },
    "required": ["steps"],
}


class MalformedPlan(AuraError):
    """The model could not write a plan in the required JSON form, even when told once."""

    code = "malformed_plan"
    http_status = 422


class ApprovalExpired(AuraError):
    """Nobody decided on a sensitive tool call before its approval expired: the run ends
    (``failed``) without making the call."""

    code = "approval_expired"
    http_status = 409


class Parked(Exception):
    """The run waits for a person's decision on approval ``approval_id``."""

    def __init__(self, approval_id: str) -> None:
        super().__init__(approval_id)
        self.approval_id = approval_id


@dataclass
class Step:
    """One finished step as the journal keeps it."""

    kind: str  # model | plan | tool | approval | final
    name: str = ""
    input: Any = None
    output: Any = None
    status: str = "succeeded"
    model: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: dict[str, Any] | None = None
    position: int = -1

    @property
    def seconds(self) -> float:
        if self.started_at is None or self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at).total_seconds()


class Journal(Protocol):
    """Where a run's steps are kept (the store, for runs on the workers)."""

    def recorded(self) -> list[Step]:
        """The steps already finished, in order (empty for a new run)."""
        ...

    def record(self, step: Step) -> None:
        """Keeps ``step`` durably (it sets ``step.position``) before returning."""
        ...

    def check(self) -> None:
        """Raises to stop the run (cancelled)."""
        ...

    def decision(self, call: ToolCall) -> tuple[str | None, str]:
        """The decision on sensitive ``call`` (approved, rejected, expired; None while
        pending) and the approval's id; asks for one the first time."""
        ...


def _reply_output(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "tool_calls": [c.to_dict() for c in reply.tool_calls],
        "stop_reason": reply.stop_reason,
    }


def _reply_from(step: Step) -> Reply:
    out = step.output or {}
    calls = tuple(ToolCall.from_dict(c) for c in out.get("tool_calls") or ())
    usage = Usage(step.tokens_in, step.tokens_out)
    return Reply(str(out.get("text") or ""), calls, usage, step.model, str(out.get("stop_reason")))


@dataclass
class Thinker:
    """One run of one agent for one prompt; :meth:`run` returns the answer."""

    model: ChatModel
    instructions: str
    prompt: str
    journal: Journal
    tools: Sequence[Tool] = ()
    sensitive: frozenset[str] = frozenset()
    history: Sequence[Message] = ()
    limits: Limits = field(default_factory=Limits)
    price: Callable[[str, Usage], float] = lambda model, usage: 0.0
    strategy: str = "tools"
    _steps: list[Step] = field(default_factory=list)
    _decisions: dict[str, str] = field(default_factory=dict)
    _session_start: float = field(default_factory=time.monotonic)
    _prior_seconds: float = 0.0

    def __post_init__(self) -> None:
        self._by_name = {t.definition.name: t for t in self.tools}
        self._steps = list(self.journal.recorded())
        self._prior_seconds = sum(s.seconds for s in self._steps)
        for s in self._steps:
            if s.kind == "approval":
                self._decisions[str((s.input or {}).get("id"))] = str(s.output["decision"])

    # -- the two strategies ----------------------------------------------------------
    def run(self) -> str:
        """The final answer. Raises Parked, AgentLimitReached, MalformedToolCall,
        MalformedPlan, ModelError."""
        done = next((s for s in self._steps if s.kind == "final"), None)
        if done is not None:
            return str(done.output["answer"])
        if self.strategy == "plan":
            return self._plan_and_execute()
        return self._tool_loop()

    def _tool_loop(self) -> str:
        messages = [*self.history, Message("user", self.prompt)]
        pending: list[ToolCall] = []
        answer: str | None = None
        malformed = 0
        for s in self._steps:  # replay
            if s.kind == "model":
                reply = _reply_from(s)
                messages.append(reply.as_message())
                pending = list(reply.tool_calls)
                answer = None if pending else reply.text
                malformed = malformed + 1 if any(c.arguments is None for c in pending) else 0
            elif s.kind == "tool":
                call_id = str(s.input["id"])
                messages.append(Message("tool", str(s.output["observation"]), tool_call_id=call_id))
                pending = [c for c in pending if c.id != call_id]
        defs = [t.definition for t in self.tools]
        while True:
            while pending:
                call = pending[0]
                observation, _ = self._tool_step(call, call.name, call.arguments)
                messages.append(Message("tool", observation, tool_call_id=call.id))
                pending.pop(0)
            if answer is not None:
                return self._final(answer)
            reply = self._model_step(messages, defs)
            messages.append(reply.as_message())
            pending = list(reply.tool_calls)
            if not pending:
                answer = reply.text
                continue
            bad = next((c for c in pending if c.arguments is None), None)
            malformed = malformed + 1 if bad is not None else 0
            if bad is not None and malformed > 1:
                raise MalformedToolCall(
                    f"The model sent arguments for the tool '{bad.name}' that are not a JSON "
                    f"object, again after being told (last: {bad.raw[:200]!r}). Try another "
                    "model, or describe the tool's arguments more plainly.",
                    details={"tool": bad.name},
                )

    def _plan_and_execute(self) -> str:
        plan: list[dict[str, Any]] | None = None
        results: list[dict[str, Any]] = []
        replans = 0
        for s in self._steps:  # replay
            if s.kind == "plan":
                plan, results = list(s.output["steps"]), []
                replans += 1 if (s.input or {}).get("replan") else 0
            elif s.kind == "tool":
                results.append({"step": s.input["plan_step"], **s.output})
        while True:
            if plan is None:
                plan = self._plan_step(None)
            start = (results[-1]["step"] + 1) if results else 0
            failed = None
            for index in range(start, len(plan)):
                item = plan[index]
                tool = item.get("tool")
                if not tool:
                    continue
                args = item.get("arguments")
                call = ToolCall(
                    f"plan{replans}-{index}",
                    str(tool),
                    args if isinstance(args, dict) else None,
                    json.dumps(args),
                )
                observation, ok = self._tool_step(call, call.name, call.arguments, index)
                results.append({"step": index, "observation": observation, "ok": ok})
                if not ok:
                    failed = index
                    break
            if failed is not None and replans < MAX_REPLANS:
                replans += 1
                plan = self._plan_step({"plan": plan, "results": results})
                results = []
                continue
            return self._final(self._answer_step(plan, results))

    # -- steps ---------------------------------------------------------------------------
    def _check_limits(self) -> None:
        self.journal.check()
        lim = self.limits
        work = [s for s in self._steps if s.kind in ("model", "plan", "tool")]
        tokens = sum(s.tokens_in + s.tokens_out for s in self._steps)
        cost = sum(s.cost for s in self._steps)
        seconds = self._prior_seconds + (time.monotonic() - self._session_start)
        what = None
        if len(work) >= lim.max_steps:
            what = f"its limit of {lim.max_steps} steps"
        elif lim.max_tokens is not None and tokens >= lim.max_tokens:
            what = f"its limit of {lim.max_tokens} tokens (used {tokens})"
        elif lim.max_cost is not None and cost >= lim.max_cost:
            what = f"its cost limit of {lim.max_cost:g} (spent {cost:.4f})"
        elif lim.max_seconds is not None and seconds >= lim.max_seconds:
            what = f"its time limit of {lim.max_seconds:g} s (worked {seconds:.1f} s)"
        if what is not None:
            raise AgentLimitReached(
                f"The agent stopped at {what} without a final answer. Raise the limit in "
                "the agent's settings if the task needs more, or narrow the task.",
                details={"steps": len(work), "tokens": tokens, "cost": round(cost, 6)},
            )

    def _keep(self, step: Step) -> Step:
        self.journal.record(step)
        self._steps.append(step)
        return step

    def _model_step(
        self,
        messages: Sequence[Message],
        defs: Sequence[ToolDef],
        kind: str = "model",
        schema: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Reply:
        self._check_limits()
        started = utcnow()
        reply = self.model.complete(self.instructions, messages, defs, schema=schema)
        step = Step(
            "model",
            name=reply.model or self.model.model,
            input={"messages": len(messages), **(extra or {})},
            output=_reply_output(reply),
            model=reply.model or self.model.model,
            tokens_in=reply.usage.input_tokens,
            tokens_out=reply.usage.output_tokens,
            cost=self.price(reply.model or self.model.model, reply.usage),
            started_at=started,
            finished_at=utcnow(),
        )
        if kind != "model":
            step.kind = kind
        self._keep(step)
        return reply

    def _tool_step(
        self,
        call: ToolCall,
        name: str,
        arguments: dict[str, Any] | None,
        plan_step: int | None = None,
    ) -> tuple[str, bool]:
        self._check_limits()
        if name in self.sensitive and arguments is not None and name in self._by_name:
            decision = self._decisions.get(call.id)
            if decision is None:
                decision, approval_id = self.journal.decision(call)
                if decision is None:
                    raise Parked(approval_id)
                self._decisions[call.id] = decision
                now = utcnow()
                self._keep(
                    Step(
                        "approval",
                        name,
                        {"id": call.id, "arguments": arguments},
                        {"decision": decision, "approval_id": approval_id},
                        started_at=now,
                        finished_at=now,
                    )
                )
            if decision == "expired":
                raise ApprovalExpired(
                    f"Nobody approved or rejected the call of '{name}' before its approval "
                    "expired, so the run stopped without making it. Run the agent again, "
                    "or give approvals more time (the agent's 'Approval expires after').",
                    details={"tool": name, "call_id": call.id},
                )
            if decision != "approved":
                observation = (
                    f"Error: a person {decision} this call of '{name}'; it was not made. "
                    "Do not call it again with the same arguments; answer without it or "
                    "explain what you needed it for."
                )
                return self._tool_record(call, plan_step, observation, False, utcnow())
        started = utcnow()
        observation, ok = _run_tool(call, self._by_name)
        return self._tool_record(call, plan_step, observation, ok, started)

    def _tool_record(
        self, call: ToolCall, plan_step: int | None, observation: str, ok: bool, started: datetime
    ) -> tuple[str, bool]:
        payload: dict[str, Any] = {"id": call.id, "arguments": call.arguments}
        if plan_step is not None:
            payload["plan_step"] = plan_step
        self._keep(
            Step(
                "tool",
                call.name,
                payload,
                {"observation": observation, "ok": ok},
                status="succeeded" if ok else "failed",
                started_at=started,
                finished_at=utcnow(),
            )
        )
        return observation, ok

    def _tool_list(self) -> str:
        return (
            "\n".join(
                f"- {t.definition.name}: {t.definition.description} (arguments: "
                f"{json.dumps(t.definition.parameters)})"
                for t in self.tools
            )
            or "- (no tools)"
        )

    def _plan_step(self, failure: dict[str, Any] | None) -> list[dict[str, Any]]:
        ask = (
            f"Task: {self.prompt}\n\nTools you can use:\n{self._tool_list()}\n\n"
            'Write a plan as JSON: {"steps": [{"goal": ..., "tool": name or null, '
            '"arguments": {...}}]}. Use only the tools listed.'
        )
        if failure is not None:
            ask += (
                "\n\nThe previous plan failed. Plan and results so far:\n"
                f"{json.dumps(failure)[:8000]}\nWrite a new plan for what is left."
            )
        messages = [*self.history, Message("user", ask)]
        for attempt in range(2):
            reply = self._model_step(
                messages, (), schema=PLAN_SCHEMA, extra={"replan": failure is not None}
            )
            steps = _plan_of(reply.text)
            if steps is not None:
                now = utcnow()
                self._keep(
                    Step(
                        "plan",
                        "plan",
                        {"replan": failure is not None},
                        {"steps": steps},
                        started_at=now,
                        finished_at=now,
                    )
                )
                return steps
            if attempt == 0:
                messages = [
                    *messages,
                    reply.as_message(),
                    Message(
                        "user",
                        "That was not a JSON object with a 'steps' list. Answer with the "
                        "plan as JSON only.",
                    ),
                ]
        raise MalformedPlan(
            "The model did not write a plan in the required JSON form, even when told "
            "once. Use the 'tools' strategy with this model, or a model with structured "
            "output."
        )

    def _answer_step(self, plan: list[dict[str, Any]], results: list[dict[str, Any]]) -> str:
        ask = (
            f"Task: {self.prompt}\n\nYour plan: {json.dumps(plan)[:4000]}\n\nResults of its "
            f"steps: {json.dumps(results)[:12000]}\n\nAnswer the task now."
        )
        return self._model_step([*self.history, Message("user", ask)], ()).text

    def _final(self, answer: str) -> str:
        now = utcnow()
        self._keep(
            Step("final", "answer", None, {"answer": answer}, started_at=now, finished_at=now)
        )
        return answer

    @property
    def steps(self) -> list[Step]:
        return list(self._steps)


def _plan_of(text: str) -> list[dict[str, Any]] | None:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None
    steps = value.get("steps") if isinstance(value, dict) else None
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        return None
    return steps
