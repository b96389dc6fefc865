"""The agent registry through engine.services.agents: versions like workflows, the
lifecycle, duplicate and export/import, and projects and roles (Erin cannot see Bob's
agent, a credential Bob may not use cannot be named)."""

from __future__ import annotations

import pytest

from engine.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from tests.agents.conftest import People


def _definition(**extra: object) -> dict[str, object]:
    return {"instructions": "Answer briefly.", "model": {"model": "gpt-x"}, **extra}


def test_saves_are_versions_and_unchanged_saves_add_none(people: People) -> None:
    from engine.services import agents

    a = agents.create_agent(people.bob, "Helper", _definition())
    assert (a.state, a.version, a.project_id) == ("draft", 1, people.project(people.bob))
    b = agents.save_agent(people.bob, a.id, _definition(instructions="Answer in French."))
    assert b.version == 2 and b.definition["instructions"] == "Answer in French."
    again = agents.save_agent(people.bob, a.id, _definition(instructions="Answer in French."))
    assert again.version == 2
    versions = agents.agent_versions(people.bob, "Helper")
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["definition"]["instructions"] == "Answer briefly."
    with pytest.raises(ConflictError, match="saved again"):
        agents.save_agent(people.bob, a.id, _definition(), base_version=1)


def test_lifecycle_moves_and_refusals(people: People) -> None:
    from engine.services import agents

    a = agents.create_agent(people.bob, "Helper", _definition())
    assert agents.set_state(people.bob, a.id, "active").state == "active"
    assert agents.set_state(people.bob, a.id, "paused").state == "paused"
    with pytest.raises(ConflictError, match="paused; it can become active, retired"):
        agents.set_state(people.bob, a.id, "draft")
    agents.set_state(people.bob, a.id, "retired")
    with pytest.raises(ConflictError, match="retired; reopen it"):
        agents.save_agent(people.bob, a.id, _definition(instructions="x"))
    with pytest.raises(ValidationError, match="Unknown agent state"):
        agents.set_state(people.bob, a.id, "sleeping")
    assert [v.name for v in agents.list_agents(people.bob, state="retired")] == ["Helper"]


def test_bad_definitions_name_the_field(people: People) -> None:
    from engine.services import agents

    with pytest.raises(ValidationError) as err:
        agents.create_agent(
            people.bob,
            "Bad",
            {"model": {"temperature": 9}, "tools": [{"kind": "workflow"}], "colour": "red"},
        )
    message = err.value.message
    assert "model.temperature" in message and "colour: is not a setting" in message
    assert "needs a workflow_id" in message
    with pytest.raises(ValidationError, match="Two tools are named 'http_request'"):
        agents.create_agent(people.bob, "Twice", {"tools": [{"kind": "http"}, {"kind": "http"}]})
    with pytest.raises(ValidationError, match="name of 1-200"):
        agents.create_agent(people.bob, " ", _definition())


def test_duplicate_export_import(people: People) -> None:
    from engine.services import agents

    a = agents.create_agent(
        people.bob, "Helper", _definition(tools=[{"kind": "http", "sensitive": True}])
    )
    copy = agents.duplicate_agent(people.bob, a.id)
    assert copy.name == "Helper (copy)" and copy.id != a.id and copy.version == 1
    assert copy.definition == a.definition
    exported = agents.export_agent(people.bob, a.id)
    assert exported["format"] == "aura-agent/1" and "id" not in exported
    imported = agents.import_agent(people.erin, exported)
    assert imported.project_id == people.project(people.erin)
    assert imported.definition["tools"][0]["sensitive"] is True
    with pytest.raises(ValidationError, match="not an exported agent"):
        agents.import_agent(people.erin, {"name": "x"})


def test_projects_and_roles_apply(people: People) -> None:
    from engine.services import agents, auth, credentials

    a = agents.create_agent(people.bob, "Bob's agent", _definition())
    with pytest.raises(NotFoundError, match="No agent"):
        agents.get_agent(people.erin, a.id)
    with pytest.raises(NotFoundError):
        agents.get_agent(people.erin, "Bob's agent")
    assert agents.list_agents(people.erin) == []
    assert [v.id for v in agents.list_agents(people.owner)] == [a.id]
    # in a team project, a viewer member reads but does not edit
    from tests.auth.conftest import PASSWORD, add_user

    vera = add_user(auth, people.owner, "vera@example.com", "viewer")
    team = auth.create_project(people.owner, "Team").id
    for who, role in ((people.bob, "editor"), (vera, "viewer")):
        assert who.user_id is not None
        auth.set_project_member(people.owner, team, who.user_id, role)
    signed_in = {}
    for email in ("bob@example.com", "vera@example.com"):
        tokens = auth.login(email, PASSWORD).tokens
        assert tokens is not None
        signed_in[email] = auth.principal_from_access_token(tokens.access_token)
    bob, vera = signed_in["bob@example.com"], signed_in["vera@example.com"]
    shared = agents.create_agent(bob, "Team agent", _definition(), project_id=team)
    assert agents.get_agent(vera, shared.id).name == "Team agent"
    with pytest.raises(PermissionDenied):
        agents.set_state(vera, shared.id, "active")
    with pytest.raises(PermissionDenied):
        agents.create_agent(vera, "Mine", _definition(), project_id=team)
    # Erin's credential is not Bob's to name
    cred = credentials.create_credential(
        people.erin,
        "Erin's LLM",
        "openai_compatible",
        {"base_url": "http://127.0.0.1:9/v1", "api_key": "sk-erin", "model": "m"},
    )
    with pytest.raises(ValidationError, match="not one you may use"):
        agents.save_agent(people.bob, a.id, _definition(model={"credential_id": cred.id}))
