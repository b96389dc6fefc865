"""The thinking engine resumes from recorded steps: a plan-and-execute run whose model
failed after the plan and a tool call is taken up by a new Thinker over the same journal
(as a worker does after a crash): the plan and the tool call are not made again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.agents.definition import Limits
from engine.agents.loop import Tool
from engine.agents.thinking import Step, Thinker
from engine.agents.types import ToolCall, ToolDef
from engine.errors import AuraError
from tests.support.llm_server import LLMServer


class MemoryJournal:
    """Steps kept in a list (the store's journal keeps them in agent_step rows)."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def recorded(self) -> list[Step]:
        return list(self.steps)

    def record(self, step: Step) -> None:
        step.position = len(self.steps)
        self.steps.append(step)

    def check(self) -> None:
        return None

    def decision(self, call: ToolCall) -> tuple[str | None, str]:
        return "approved", ""


def _model(llm: LLMServer) -> Any:
    from engine.net import safe_client
    from engine.sdk.ai import chat_model

    return chat_model(
        "openai",
        {"base_url": llm.url, "api_key": "k", "model": "m"},
        http=safe_client(),
        max_retries=0,
    )


def test_plan_run_resumes_after_its_last_step(llm: LLMServer) -> None:
    calls: list[dict[str, Any]] = []
    tool = Tool(ToolDef("lookup", "Looks up."), lambda args: calls.append(args) or "found")
    plan = {
        "steps": [
            {"goal": "look", "tool": "lookup", "arguments": {"q": "a"}},
            {"goal": "look again", "tool": "lookup", "arguments": {"q": "b"}},
        ]
    }
    journal = MemoryJournal()
    llm.play({"text": json.dumps(plan)}, {"status": 500})
    first = Thinker(
        _model(llm), "", "Find a and b", journal, tools=[tool], strategy="plan", limits=Limits()
    )
    # the first run stops at its answer call (the model fails), after both tool calls
    with pytest.raises(AuraError):
        first.run()
    assert [s.kind for s in journal.steps] == ["model", "plan", "tool", "tool"]
    assert calls == [{"q": "a"}, {"q": "b"}]
    llm.play({"text": "a and b were found"})
    second = Thinker(
        _model(llm), "", "Find a and b", journal, tools=[tool], strategy="plan", limits=Limits()
    )
    assert second.run() == "a and b were found"
    assert calls == [{"q": "a"}, {"q": "b"}]  # no tool call made again
    assert len(llm.requests) == 1  # only the answer was asked for
    assert [s.kind for s in journal.steps] == ["model", "plan", "tool", "tool", "model", "final"]
