"""The agent editor's form without a browser: a stored definition shown as fields and
tool rows reads back as the same definition; wrong values are named in plain words
beside their field (and nothing is saved); the service's own refusals land beside the
field too; the lists the editor picks tools from hold what the editor may use in the
agent's project and nothing of another project; a knowledge tool's re-ranker is chosen
from the engine's, saved and kept, and one the engine lacks is refused beside the tool."""

from __future__ import annotations

from typing import Any

import pytest

from engine.auth.types import Principal
from engine.errors import ValidationError
from studio.logic.agent_form import field_errors, from_form, to_form, tool_row
from tests.agents.conftest import People


def _workflow(people: People, who: Principal, name: str) -> str:
    from engine.graph import load_workflow
    from engine.services.store import get_store

    definition = {
        "name": name,
        "nodes": [
            {
                "name": "Called",
                "type": "core.workflow_trigger",
                "parameters": {
                    "input_source": "define_fields",
                    "fields": [{"name": "city", "type": "string"}],
                },
            },
            {"name": "Answer", "type": "core.set", "parameters": {"assignments": []}},
        ],
        "connections": [{"source": "Called", "target": "Answer"}],
    }
    rec = get_store().workflows.create(load_workflow(definition), project_id=people.project(who))
    return str(rec.id)


def _credential(who: Principal, name: str, kind: str = "openai_compatible") -> str:
    from engine.services import credentials

    data = {"base_url": "https://llm.example.com/v1", "api_key": "sk-form", "model": "m"}
    if kind == "anthropic":
        data["base_url"] = "https://llm.example.com"
    return credentials.create_credential(who, name, kind, data).id


def test_a_definition_reads_back_from_the_form_unchanged(people: People) -> None:
    from engine.agents.definition import load_definition
    from engine.services import agent_choices, agents

    wid = _workflow(people, people.bob, "Weather")
    cred = _credential(people.bob, "Bob's model")
    definition = {
        "instructions": "Be brief.",
        "model": {"credential_id": cred, "model": "gpt-x", "temperature": 0.2},
        "strategy": "plan",
        "tools": [
            {"kind": "workflow", "name": "weather", "workflow_id": wid, "sensitive": True},
            {"kind": "http", "description": "Reads pages."},
        ],
        "limits": {"max_steps": 7, "max_tokens": 5000, "max_cost": 0.5, "max_seconds": 90},
        "approval_timeout_s": 120,
        "budget": {"warn": 5, "stop": 10},
    }
    view = agents.create_agent(people.bob, "Forecaster", definition)
    choices = agent_choices.editor_choices(people.bob, view.id)
    instructions, fields, tools = to_form(view.definition, choices)
    assert fields["max_steps"] == "7" and fields["approval_timeout_s"] == "120"
    assert [t["label"] for t in tools] == ["Weather", "HTTP requests"]
    # saved without an input schema: the model was told any object, and the form says so
    assert tools[0]["arguments"] == "any JSON object" and tools[0]["sensitive"] == "true"
    back, errors = from_form(instructions, fields, tools)
    assert errors == {}
    assert load_definition(back) == load_definition(view.definition)


def test_wrong_values_are_named_in_plain_words_beside_their_field() -> None:
    _, fields, tools = to_form({})
    fields.update(
        max_steps="0",
        max_tokens="lots",
        max_cost="-1",
        temperature="3",
        approval_timeout_s="soon",
        budget_warn="20",
        budget_stop="10",
    )
    tools = [tool_row("http"), tool_row("http"), tool_row("knowledge", "handbook", name="a b")]
    _, errors = from_form("", fields, tools)
    assert errors["max_steps"] == "'0' is not a valid value: enter a whole number from 1 to 1000."
    assert (
        "leave it empty for no limit, or enter a whole number of 1 or more" in errors["max_tokens"]
    )
    assert "a number above 0" in errors["max_cost"]
    assert "from 0 to 2" in errors["temperature"]
    assert "'soon' is not a valid value" in errors["approval_timeout_s"]
    assert errors["budget_warn"].startswith("Warn below the stop level")
    assert errors["tools.1"] == "Tool 1 is also named 'http_request': give each tool its own name."
    assert "no spaces" in errors["tools.2"]
    for message in errors.values():  # no pydantic wording reaches the page
        assert "Input should" not in message and "Value error" not in message


def test_the_services_refusals_land_beside_their_field(people: People) -> None:
    from engine.services import agents

    view = agents.create_agent(people.bob, "Checked")
    theirs = _credential(people.erin, "Erin's model")
    _, fields, _ = to_form(view.definition)
    fields["credential_id"] = theirs
    definition, errors = from_form("", fields, [])
    assert errors == {}
    with pytest.raises(ValidationError) as caught:
        agents.save_agent(people.bob, view.id, definition)
    assert field_errors(caught.value.details, caught.value.message) == {
        "credential_id": caught.value.message
    }
    assert "not one you may use" in caught.value.message

    definition["tools"] = [{"kind": "knowledge", "name": "search"}]  # no bases: the model says
    with pytest.raises(ValidationError) as caught:
        agents.save_agent(people.bob, view.id, definition)
    assert field_errors(caught.value.details) == {
        "tools.0": "The knowledge tool 'search' needs knowledge_bases."
    }
    definition["tools"], definition["limits"]["max_steps"] = [], 5000
    with pytest.raises(ValidationError) as caught:
        agents.save_agent(people.bob, view.id, definition)
    assert field_errors(caught.value.details) == {"max_steps": "Enter 1000 or less."}


def test_the_editor_offers_what_the_editor_may_use_in_the_agents_project(
    people: People,
) -> None:
    from engine.services import agent_choices, agents, mcp

    mine = _workflow(people, people.bob, "Bob's lookup")
    _workflow(people, people.erin, "Erin's lookup")
    cred = _credential(people.bob, "Claude", "anthropic")
    _credential(people.erin, "Erin's key")
    mcp.save_server(
        people.bob,
        people.project(people.bob),
        {"name": "tickets", "transport": "http", "url": "https://mcp.example.com/mcp"},
    )
    view = agents.create_agent(people.bob, "Picker")
    choices: dict[str, Any] = agent_choices.editor_choices(people.bob, view.id)
    assert [(w["id"], w["arguments"]) for w in choices["workflows"]] == [(mine, "city")]
    assert [(c["id"], c["provider"]) for c in choices["credentials"]] == [(cred, "anthropic")]
    assert [s["name"] for s in choices["mcp_servers"]] == ["tickets"]
    assert [b["kind"] for b in choices["builtin"]] == ["http", "code"]
    row = tool_row("workflow", mine, choices=choices)
    assert row["name"] == "bob_s_lookup" and row["arguments"] == "city"
    assert '"city"' in row["schema"]


def test_code_and_node_tools_in_the_form(people: People) -> None:
    from engine.agents.definition import load_definition
    from engine.services import agent_choices, agents
    from studio.logic.agent_node_tools import field_rows

    node = {
        "kind": "node",
        "name": "sha",
        "node_type": "core.crypto",
        "parameters": {"operation": "hash", "value": "{{ $json.text }}"},
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
    }
    view = agents.create_agent(
        people.bob, "Tools", {"tools": [{"kind": "code", "timeout_s": 4}, node]}
    )
    choices = agent_choices.editor_choices(people.bob, view.id)
    assert "core.crypto" in [n["type"] for n in choices["nodes"]]
    assert [b["kind"] for b in choices["builtin"]] == ["http", "code"]
    instructions, fields, tools = to_form(view.definition, choices)
    assert tools[0]["label"] == "Python code in the sandbox" and tools[0]["timeout"] == "4"
    assert tools[1]["label"] == "Crypto node" and tools[1]["args"] == "text"
    back, errors = from_form(instructions, fields, tools)
    assert errors == {}
    assert load_definition(back) == load_definition(view.definition)

    drawn = {f["key"]: f for f in field_rows(tools, choices) if f["tool"] == "1"}
    assert drawn["value"]["value"] == "{{ $json.text }}"
    assert "algorithm" in drawn and "generate_type" not in drawn  # shown for 'hash' only
    assert "sha256|" in drawn["algorithm"]["options"]
    assert drawn["hmac_secret"]["kind"] == "credential"

    generate = {**tools[1], "params": '{"operation": "generate", "length": "many"}'}
    drawn = {f["key"] for f in field_rows([generate], choices)}
    assert "generate_type" in drawn and "algorithm" not in drawn
    _, errors = from_form("", fields, [generate])
    assert errors["tools.0"].startswith("Length:") and "number" in errors["tools.0"]
    bad_args = {**tools[1], "args": "text, two words"}
    _, errors = from_form("", fields, [bad_args])
    assert errors["tools.0"].startswith("The argument name 'two words' cannot be used")
    slow = {**tools[0], "timeout": "500"}
    _, errors = from_form("", fields, [slow])
    assert errors["tools.0"] == "Seconds per call: enter a number above 0, at most 120."


def test_table_and_json_parameters_of_a_node_tool_in_a_json_editor(people: People) -> None:
    """An HTTP Request node as a tool: its headers (a table) and JSON body are JSON
    editors; text that is not JSON, or not the shape the node takes, is said under the
    field as it is typed and refused on save; the right values are saved as JSON and
    read back into the editors."""
    import json

    from engine.services import agent_choices, agents
    from studio.logic.agent_node_tools import field_rows

    view = agents.create_agent(people.bob, "Poster", {})
    choices = agent_choices.editor_choices(people.bob, view.id)
    instructions, fields, _ = to_form(view.definition, choices)
    row = {**tool_row("node", "core.http_request", choices=choices), "args": "city"}

    def drawn(params: dict[str, str]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
        tool = {**row, "params": json.dumps(params)}
        shown = {f["key"]: f for f in field_rows([tool], choices)}
        _, errors = from_form(instructions, fields, [tool])
        return shown, errors

    shown, _ = drawn({})
    assert shown["headers"]["kind"] == "json" and shown["headers"]["value"] == ""
    assert shown["headers"]["example"] == '[{"name": "Accept", "value": "application/json"}]'
    assert "json_body" not in shown  # only for a JSON body
    url = "https://api.example.com/weather"
    base = {"url": url, "method": "POST", "body_type": "json"}

    broken = {**base, "json_body": '{"city": "{{ $json.city }}"'}
    shown, errors = drawn(broken)
    assert shown["json_body"]["error"].startswith("JSON body: this is not JSON (Expecting")
    assert "line 1, column" in shown["json_body"]["error"]
    assert errors["tools.0"] == shown["json_body"]["error"]

    nameless = {**base, "headers": '[{"value": "application/json"}]'}
    shown, errors = drawn(nameless)
    assert shown["headers"]["error"] == "Headers (row 1, name): Required: enter a value."
    assert errors["tools.0"] == shown["headers"]["error"]

    not_a_table = {**base, "headers": '{"Accept": "application/json"}'}
    shown, errors = drawn(not_a_table)
    assert shown["headers"]["error"] == "Headers: Enter a list."
    assert errors["tools.0"] == "Headers: Enter a list."

    good = {
        **base,
        "headers": '[{"name": "Accept", "value": "application/json"}]',
        "json_body": '{"city": "{{ $json.city }}", "days": 3}',
    }
    shown, errors = drawn(good)
    assert errors == {} and shown["headers"]["error"] == shown["json_body"]["error"] == ""
    definition, _ = from_form(instructions, fields, [{**row, "params": json.dumps(good)}])
    saved = agents.save_agent(people.bob, view.id, definition)
    params = saved.definition["tools"][0]["parameters"]
    assert params["headers"] == [{"name": "Accept", "value": "application/json"}]
    assert params["json_body"] == {"city": "{{ $json.city }}", "days": 3}

    _, _, tools = to_form(saved.definition, choices)  # opened again: the editors hold it
    shown = {f["key"]: f for f in field_rows(tools, choices)}
    assert json.loads(shown["headers"]["value"]) == params["headers"]
    assert json.loads(shown["json_body"]["value"]) == params["json_body"]
    back, errors = from_form(instructions, fields, tools)
    assert errors == {} and back["tools"][0]["parameters"] == params


def test_a_knowledge_tools_reranker_is_chosen_saved_and_kept(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor offers the re-rankers the engine has (one a package registered too):
    one chosen is saved and shown when the agent is opened again; one the engine no
    longer has (its package removed) is refused beside the tool, naming those it has."""
    from engine.knowledge import rerank
    from engine.services import agent_choices, agents, knowledge

    monkeypatch.setitem(rerank._RERANKERS, "shortest", lambda query, hits: hits)
    knowledge.create_base(people.bob, "handbook")
    tool = {"kind": "knowledge", "knowledge_bases": ["handbook"]}
    view = agents.create_agent(people.bob, "Librarian", {"tools": [tool]})
    choices = agent_choices.editor_choices(people.bob, view.id)
    assert choices["rerankers"] == ["keywords", "shortest"]
    instructions, fields, tools = to_form(view.definition, choices)
    assert tools[0]["rerank"] == ""  # shown as None

    tools[0]["rerank"] = "keywords"  # chosen in the select
    definition, errors = from_form(instructions, fields, tools, choices["rerankers"])
    assert errors == {}
    saved = agents.save_agent(people.bob, view.id, definition)
    reopened = agents.get_agent(people.bob, view.id)
    assert reopened.version == saved.version == 2
    assert reopened.definition["tools"][0]["rerank"] == "keywords"
    _, _, tools = to_form(reopened.definition, choices)
    assert tools[0]["rerank"] == "keywords"

    tools[0]["rerank"] = "shortest"
    definition, _ = from_form(instructions, fields, tools, choices["rerankers"])
    agents.save_agent(people.bob, view.id, definition)
    monkeypatch.delitem(rerank._RERANKERS, "shortest")  # its package is removed
    choices = agent_choices.editor_choices(people.bob, view.id)
    instructions, fields, tools = to_form(agents.get_agent(people.bob, view.id).definition)
    assert tools[0]["rerank"] == "shortest"
    definition, errors = from_form(instructions, fields, tools, choices["rerankers"])
    assert errors == {
        "tools.0": "Unknown re-ranker 'shortest': choose None (the search's own order) or "
        "one of keywords."
    }
    # the service refuses it too, and its refusal lands beside the same tool
    with pytest.raises(ValidationError) as caught:
        agents.save_agent(people.bob, view.id, definition)
    names = [t["name"] for t in tools]
    message = caught.value.message
    assert "unknown re-ranker 'shortest'; use one of keywords" in message
    assert field_errors(caught.value.details, message, names) == {"tools.0": message}
    assert agents.get_agent(people.bob, view.id).version == 3  # nothing saved

    tools[0]["rerank"] = ""  # None
    definition, errors = from_form(instructions, fields, tools, choices["rerankers"])
    assert errors == {} and "rerank" not in definition["tools"][0]
    assert (
        agents.save_agent(people.bob, view.id, definition).definition["tools"][0]["rerank"] is None
    )
