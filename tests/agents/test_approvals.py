"""Approvals: a sensitive tool parks the agent run (``waiting``) until a person of its
project approves (the call is made once) or rejects (it is never made; the model is told);
the inbox lists what waits for me, never another project's requests; overdue requests
expire and end their run (failed, saying nobody decided in time)."""

from __future__ import annotations

import pytest

from engine.errors import ConflictError, NotFoundError, PermissionDenied
from tests.agents.conftest import People
from tests.agents.test_agent_runs import _agent, _page
from tests.support.llm_server import LLMServer, last_tool_result


def _sensitive(people: People, llm: LLMServer, **extra: object) -> str:
    return _agent(people.bob, llm, tools=[{"kind": "http", "sensitive": True}], **extra)


def _waiting_run(people: People, llm: LLMServer, agent: str) -> str:
    from engine.services import agents

    llm.play(
        {"tool": "http_request", "args": {"url": _page(llm, "Approved")}},
        lambda body: {"text": f"Tool said: {last_tool_result(body)[:60]}"},
    )
    handle = agents.start_run(people.bob, agent, "Fetch the page", runtime="inline")
    run = agents.get_run(people.bob, handle.id)
    assert run["status"] == "waiting", run
    assert llm.pages == []  # nothing was called yet
    return handle.id


def test_approve_makes_the_call_once_and_finishes(people: People, llm: LLMServer) -> None:
    from engine.services import agents

    eid = _waiting_run(people, llm, _sensitive(people, llm))
    inbox = agents.inbox(people.bob)
    assert [a["execution_id"] for a in inbox] == [eid]
    request = inbox[0]
    assert request["subject"]["tool"] == "http_request"
    assert request["subject"]["arguments"] == {"url": _page(llm, "Approved")}
    assert agents.inbox(people.erin) == []
    with pytest.raises(NotFoundError):
        agents.decide(people.erin, request["id"], "approve")
    decided = agents.decide(people.bob, request["id"], "approve", "fine")
    assert decided["status"] == "approved" and decided["decided_by"] == people.bob.user_id
    run = agents.get_run(people.bob, eid)
    assert run["status"] == "succeeded", run["error"]
    assert run["answer"].startswith("Tool said:") and "says hi to Approved" in run["answer"]
    assert llm.pages == ["Approved"]
    kinds = [s["kind"] for s in run["steps"]]
    assert kinds == ["model", "approval", "tool", "model", "final"]
    # the model call that asked for the tool was not made again after the approval
    assert len(llm.requests) == 2
    assert agents.inbox(people.bob) == []
    with pytest.raises(ConflictError, match="approved already"):
        agents.decide(people.bob, request["id"], "reject")


def test_reject_never_calls_the_tool_and_tells_the_model(people: People, llm: LLMServer) -> None:
    from engine.services import agents

    eid = _waiting_run(people, llm, _sensitive(people, llm))
    (request,) = agents.inbox(people.bob)
    agents.decide(people.bob, request["id"], "reject")
    run = agents.get_run(people.bob, eid)
    assert run["status"] == "succeeded"
    assert "person rejected this call" in run["answer"]
    assert llm.pages == []
    tool = next(s for s in run["steps"] if s["kind"] == "tool")
    assert tool["status"] == "failed"


def test_viewers_see_but_cannot_decide_and_requests_expire(people: People, llm: LLMServer) -> None:
    from datetime import timedelta

    from engine.services import agents, approvals
    from engine.store.types import utcnow

    agent = _sensitive(people, llm, approval_timeout_s=60)
    eid = _waiting_run(people, llm, agent)
    (request,) = agents.inbox(people.bob)
    assert request["expires_at"] is not None
    with pytest.raises(PermissionDenied):
        from engine.auth.types import Principal

        viewer = Principal(
            user_id="v",
            email="v@example.com",
            role="viewer",
            projects={people.project(people.bob): "viewer"},
        )
        agents.decide(viewer, request["id"], "approve")
    assert approvals.expire_due(utcnow() + timedelta(seconds=61)) == [request["id"]]
    run = agents.get_run(people.bob, eid)
    assert run["status"] == "failed" and run["error"]["code"] == "approval_expired"
    assert "Nobody approved or rejected the call of 'http_request'" in run["error"]["message"]
    assert [s["kind"] for s in run["steps"]] == ["model", "approval"]
    assert run["steps"][1]["output"]["decision"] == "expired"
    assert llm.pages == [] and len(llm.requests) == 1  # no call made, the model not asked


def test_a_cancelled_run_leaves_the_inbox(people: People, llm: LLMServer) -> None:
    from engine.runtimes import cancel
    from engine.services import agents

    eid = _waiting_run(people, llm, _sensitive(people, llm))
    (request,) = agents.inbox(people.bob)
    cancel(eid)
    assert agents.get_run(people.bob, eid)["status"] == "cancelled"
    assert agents.inbox(people.bob) == []
    agents.decide(people.bob, request["id"], "approve")  # too late: nothing runs
    assert agents.get_run(people.bob, eid)["status"] == "cancelled"
    assert llm.pages == []
