"""The studio's approvals inbox (``/approvals``), its state without a browser: each
waiting tool call says when it expires (the time left and the time in UTC; no limit
when the agent sets none); one nobody decided in time shows under 'Expired recently'
with when it expired, and its run failed saying so; deciding from the inbox reloads it.
Another project's requests are not listed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from studio.logic.approval_view import expiry_text, span
from studio.state.agents import AgentsState
from tests.agents.conftest import People
from tests.agents.test_agent_runs import _agent, _page
from tests.studio.admin_support import call, make
from tests.support.llm_server import LLMServer


def _waiting(people: People, llm: LLMServer, timeout_s: float | None) -> str:
    from engine.services import agents

    agent = _agent(
        people.bob,
        llm,
        tools=[{"kind": "http", "sensitive": True}],
        approval_timeout_s=timeout_s,
    )
    llm.play(
        {"tool": "http_request", "args": {"url": _page(llm, "Inbox")}},
        {"text": "The page greets Inbox."},
    )
    handle = agents.start_run(people.bob, agent, "Read the page", runtime="inline")
    assert agents.get_run(people.bob, handle.id)["status"] == "waiting"
    return handle.id


def _as(who: Any) -> Any:
    state = make(AgentsState)
    state._user_id = who.user_id
    return state


def test_the_inbox_says_when_each_approval_expires(people: People, llm: LLMServer) -> None:
    from engine.services import agents
    from engine.store.types import utcnow

    slow = _waiting(people, llm, 600)
    endless = _waiting(people, llm, None)
    hasty = _waiting(people, llm, 30)
    expired = agents.expire_due(utcnow() + timedelta(seconds=60))  # as a minute passed
    assert len(expired) == 1
    run = agents.get_run(people.bob, hasty)
    assert run["status"] == "failed" and run["error"]["code"] == "approval_expired"

    s = _as(people.bob)
    call(s, "load")
    by_run = {a["execution_id"]: a for a in s.approvals}
    assert set(by_run) == {slow, endless}
    assert re.fullmatch(
        r"Expires in (9|10) min \d\d s, at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.",
        by_run[slow]["expires"],
    ), by_run[slow]["expires"]
    assert by_run[slow]["urgent"] == ""
    assert by_run[endless]["expires"] == "Waits until someone decides (no time limit)."
    assert [a["execution_id"] for a in s.expired] == [hasty]
    assert re.fullmatch(
        r"Expired at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: nobody decided in time\.",
        s.expired[0]["expires"],
    ), s.expired[0]["expires"]
    assert s.expired[0]["status"] == "expired" and s.expired[0]["urgent"] == "true"

    erin = _as(people.erin)
    call(erin, "load")
    assert erin.approvals == [] and erin.expired == []

    call(s, "decide", by_run[slow]["id"], "approve")
    assert [a["execution_id"] for a in s.approvals] == [endless]
    assert agents.get_run(people.bob, slow)["status"] == "succeeded"


def test_the_time_left_in_words() -> None:
    now = datetime(2026, 12, 6, 10, 0, 0, tzinfo=UTC)

    def pending(seconds: float) -> tuple[str, bool]:
        return expiry_text(
            {"status": "pending", "expires_at": (now + timedelta(seconds=seconds)).isoformat()}, now
        )

    assert pending(45) == ("Expires in 45 s, at 2026-12-06 10:00:45 UTC.", True)
    assert pending(245) == ("Expires in 4 min 05 s, at 2026-12-06 10:04:05 UTC.", False)
    assert pending(-1) == ("Expires now (2026-12-06 09:59:59 UTC).", True)
    assert span(2 * 3600 + 180) == "2 h 03 min" and span(3 * 86400 + 4 * 3600) == "3 d 04 h"
