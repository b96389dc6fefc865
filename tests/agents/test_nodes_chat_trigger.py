"""The Chat Trigger and ``POST /api/v1/workflows/{id}/chat`` on a live uvicorn server,
against the local LLM server: what a chat client notices — the answer arrives in pieces
while the model writes it (a streaming AI Agent), then whole; the session id carries
the conversation to the next message; a workflow without a chat trigger is refused
saying what to add; another project's workflow is not found; a failed run ends with an
error event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from engine.auth.types import Principal
from tests.agents.conftest import People
from tests.agents.test_agent_node import _credential, _store
from tests.events.test_sse import serve
from tests.support.llm_server import LLMServer


@pytest.fixture
def api(people: People, llm: LLMServer) -> Iterator[str]:
    from studio.api import create_app

    with serve(create_app(runtime="inline")) as url:
        yield url + "/api/v1"


def _key(who: Principal) -> dict[str, str]:
    from engine.services import auth

    _, key = auth.create_api_key(who, "chat", ["*"])
    return {"X-API-Key": key}


def _chat_workflow(people: People, who: Principal, cred: str, **agent: Any) -> str:
    return _store(
        people,
        who,
        {
            "name": "Support chat",
            "nodes": [
                {"name": "Chat", "type": "ai.chat_trigger"},
                {
                    "name": "Agent",
                    "type": "ai.agent",
                    "parameters": {
                        "prompt": "{{ $json.chat_input }}",
                        "session_key": "{{ $json.session_id }}",
                        "stream": True,
                        **agent,
                    },
                    "credentials": {"model": {"id": cred, "name": "LLM"}},
                },
            ],
            "connections": [{"source": "Chat", "target": "Agent"}],
        },
    )


def _events(url: str, headers: dict[str, str], body: dict[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    with httpx.stream("POST", url, json=body, headers=headers, timeout=60) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                out.append((kind, json.loads(line[6:])))
    return out


def test_the_answer_streams_in_pieces_and_the_session_continues(
    llm: LLMServer, people: People, api: str
) -> None:
    cred = _credential(people.bob, llm)
    wid = _chat_workflow(people, people.bob, cred)
    headers = _key(people.bob)
    llm.play({"text": "Your order T-7 ships tomorrow morning."})
    events = _events(f"{api}/workflows/{wid}/chat", headers, {"message": "Where is T-7?"})
    kinds = [k for k, _ in events]
    assert kinds[0] == "started" and kinds[-1] == "answer"
    started, answer = events[0][1], events[-1][1]
    pieces = [d["text"] for k, d in events if k == "delta"]
    assert len(pieces) > 1  # it arrived while being written, not all at once
    assert "".join(pieces) == answer["text"] == "Your order T-7 ships tomorrow morning."
    assert answer["status"] == "succeeded" and answer["execution_id"] == started["execution_id"]
    assert ("node", {"node": "Agent", "status": "succeeded"}) in events
    assert kinds.index("delta") < kinds.index("answer")

    llm.play({"text": "You asked about T-7."})
    body = {"message": "What did I ask?", "session_id": started["session_id"]}
    events = _events(f"{api}/workflows/{wid}/chat", headers, body)
    assert events[-1][1]["text"] == "You asked about T-7."
    sent = json.dumps(llm.requests[-1].body["messages"])
    assert "Where is T-7?" in sent and "ships tomorrow morning" in sent


def test_a_failed_run_ends_with_an_error_event(llm: LLMServer, people: People, api: str) -> None:
    cred = _credential(people.bob, llm)
    wid = _chat_workflow(people, people.bob, cred, max_retries=0)
    llm.play({"status": 500})
    events = _events(f"{api}/workflows/{wid}/chat", _key(people.bob), {"message": "Hi"})
    assert events[-2][0] == "answer" and events[-2][1]["status"] == "failed"
    assert events[-1][0] == "error" and "HTTP 500" in events[-1][1]["message"]


def test_chat_needs_a_chat_trigger_and_the_callers_own_workflow(
    llm: LLMServer, people: People, api: str
) -> None:
    plain = _store(
        people,
        people.bob,
        {
            "name": "Plain",
            "nodes": [{"name": "Start", "type": "core.manual_trigger"}],
            "connections": [],
        },
    )
    r = httpx.post(
        f"{api}/workflows/{plain}/chat", json={"message": "Hi"}, headers=_key(people.bob)
    )
    assert r.status_code == 422
    assert "add a 'When Chat Message Received' node" in r.json()["message"]
    erins = _chat_workflow(people, people.erin, _credential(people.erin, llm))
    r = httpx.post(
        f"{api}/workflows/{erins}/chat", json={"message": "Hi"}, headers=_key(people.bob)
    )
    assert r.status_code == 404
    r = httpx.post(f"{api}/workflows/{plain}/chat", json={"message": ""}, headers=_key(people.bob))
    assert r.status_code == 422 and set(r.json()) == {"error", "message", "details"}
    assert llm.requests == []
