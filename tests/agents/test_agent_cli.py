"""``aura agent``: import an exported agent, list and show it, run it here with its
steps printed, answer an approval from the inbox, export it again; errors are one line
and exit code 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from engine.auth.types import Principal
from engine.cli.app import app
from tests.agents.conftest import People
from tests.support.llm_server import LLMServer

runner = CliRunner()
OPERATOR = Principal(user_id=None, email="console", role="owner")


def aura(*args: str, input: str | None = None) -> tuple[int, str]:
    r = runner.invoke(app, list(args), catch_exceptions=False, input=input)
    return r.exit_code, r.output


def test_agent_commands(people: People, llm: LLMServer, tmp_path: Path) -> None:
    from engine.services import credentials

    cred = credentials.create_credential(
        OPERATOR,
        "LLM",
        "openai_compatible",
        {"base_url": llm.url, "api_key": "sk-cli-77", "model": "gpt-x"},
    )
    exported = {
        "format": "aura-agent/1",
        "name": "Clerk",
        "description": "",
        "definition": {
            "model": {"credential_id": cred.id},
            "tools": [{"kind": "http", "sensitive": True}],
        },
    }
    file = tmp_path / "clerk.json"
    file.write_text(json.dumps(exported))
    code, out = aura("agent", "import", str(file))
    assert code == 0 and "Imported Clerk" in out, out
    code, out = aura("agent", "state", "Clerk", "active")
    assert code == 0 and "Clerk is active" in out, out
    code, out = aura("agent", "list")
    assert code == 0 and "Clerk" in out and "http_request" in out and "active" in out
    page = llm.url.removesuffix("/v1") + "/page?name=CLI"
    llm.play({"tool": "http_request", "args": {"url": page}}, {"text": "The page was read."})
    code, out = aura("agent", "run", "Clerk", "Read the page", "--inline")
    assert code == 0 and "Waiting for an approval" in out, out
    code, out = aura("agent", "inbox")
    assert code == 0 and "wants to call 'http_request'" in out and "(no time limit)" in out, out
    code, out = aura("agent", "inbox", "--json")
    (item,) = json.loads(out)
    code, out = aura("agent", "decide", item["id"], "approve")
    assert code == 0 and "Approved" in out, out
    code, out = aura("agent", "show", "Clerk", "--json")
    shown = json.loads(out)
    assert shown["runs"][0]["status"] == "succeeded"
    assert shown["runs"][0]["answer"] == "The page was read." and llm.pages == ["CLI"]
    code, out = aura("agent", "export", "Clerk")
    assert json.loads(out)["definition"]["tools"][0]["sensitive"] is True
    llm.play({"text": "Hello Ada."}, {"text": "You are Ada."})
    code, out = aura("agent", "chat", "Clerk", "--session", "s1", input="I am Ada\nWho am I?\n\n")
    assert code == 0 and "agent> Hello Ada." in out and "agent> You are Ada." in out, out
    assert "I am Ada" in json.dumps(llm.requests[1].body["messages"])  # the session's memory
    code, out = aura("agent", "run", "Nobody", "Hi")
    assert code == 2 and "No agent 'Nobody'" in out and "Traceback" not in out
