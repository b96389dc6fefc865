"""``aura user`` and ``aura credentials`` from a terminal."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

from typer.testing import CliRunner

from engine.cli.app import app
from tests.auth.conftest import OWNER_EMAIL, OWNER_PASSWORD

runner = CliRunner()


def _run(*args: str, input: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_first_run_owner_from_prompts_then_users(auth: ModuleType) -> None:
    out = _run(
        "user",
        "create-owner",
        "--name",
        "Olivia",
        input=f"{OWNER_EMAIL}\n{OWNER_PASSWORD}\n{OWNER_PASSWORD}\n",
    )
    assert "Owner owner@example.com created" in out
    again = runner.invoke(
        app, ["user", "create-owner", "--email", "x@example.com", "--password", OWNER_PASSWORD]
    )
    assert again.exit_code == 2 and "already has an owner" in again.output
    weak = runner.invoke(app, ["user", "invite", "bad-address"])
    assert weak.exit_code == 2
    out = _run("user", "invite", "ed@example.com", "--role", "editor")
    token = out.split("token=")[1].split()[0]
    auth.accept_invitation(token, "Sturdy-Password-42")
    _run("user", "set-role", "ed@example.com", "viewer")
    users = json.loads(_run("user", "list", "--json"))
    assert {u["email"]: u["role"] for u in users} == {
        OWNER_EMAIL: "owner",
        "ed@example.com": "viewer",
    }
    _run("user", "disable", "ed@example.com")
    assert json.loads(_run("user", "list", "--json"))[0]["disabled"] is True
    _run("user", "enable", "ed@example.com")
    out = _run(
        "user",
        "api-key",
        "create",
        "ed@example.com",
        "--name",
        "console",
        "--scope",
        "workflow:read",
    )
    key = next(line for line in out.splitlines() if line.startswith("aura_"))
    assert auth.principal_from_api_key(key).email == "ed@example.com"
    listed = json.loads(_run("user", "api-key", "list", "--json"))
    assert listed[0]["name"] == "console" and key not in json.dumps(listed)
    _run("user", "api-key", "revoke", listed[0]["prefix"])
    assert json.loads(_run("user", "api-key", "list", "--json"))[0]["active"] is False
    assert "New signing key" in _run("user", "rotate-signing-key")
    console_events = auth.audit_log(
        auth.principal_from_access_token(
            auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens.access_token
        ),
        action="user.*",
    )
    assert any(e.actor_email == "console" for e in console_events)


def test_credentials_rotate_key_from_the_cli(auth: ModuleType, data_dir: Path) -> None:
    from engine.services import credentials

    auth.create_owner(OWNER_EMAIL, OWNER_PASSWORD)
    owner = auth.principal_from_access_token(
        auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens.access_token
    )
    c = credentials.create_credential(owner, "API", "bearer", {"token": "tok-cli-1"})
    before = json.loads(_run("credentials", "key-status", "--json"))
    out = _run("credentials", "rotate-key", "--yes")
    assert "Re-encrypted 1 credential(s)" in out
    after = json.loads(_run("credentials", "key-status", "--json"))
    assert after["current"] != before["current"] and before["current"] in after["old"]
    assert after["credentials_by_key"] == {after["current"]: 1}
    assert credentials.resolve(c.id)["token"] == "tok-cli-1"
    listed = _run("credentials", "list", "--json")
    assert "tok-cli-1" not in listed and json.loads(listed)[0]["name"] == "API"
    assert "postgres" in _run("credentials", "kinds")
    result = runner.invoke(app, ["credentials", "rotate-key"], input="n\n")
    assert result.exit_code != 0


def test_a_script_gets_the_new_api_key_alone_or_as_json(auth: ModuleType) -> None:
    auth.create_owner(OWNER_EMAIL, OWNER_PASSWORD)
    quiet = _run("user", "api-key", "create", OWNER_EMAIL, "--name", "deploy", "--quiet")
    key = quiet.strip()
    assert quiet == key + "\n" and key.startswith("aura_")  # KEY=$(aura ... --quiet)
    assert auth.principal_from_api_key(key).email == OWNER_EMAIL
    out = _run(
        "user",
        "api-key",
        "create",
        OWNER_EMAIL,
        "--name",
        "ci",
        "--scope",
        "workflow:read",
        "--expires-days",
        "7",
        "--json",
    )
    made = json.loads(out)
    assert made["name"] == "ci" and made["scopes"] == ["workflow:read"]
    assert made["key"].startswith(made["prefix"]) and made["expires_at"]
    assert auth.principal_from_api_key(made["key"]).email == OWNER_EMAIL
    both = runner.invoke(
        app, ["user", "api-key", "create", OWNER_EMAIL, "--name", "x", "-q", "--json"]
    )
    assert both.exit_code == 2 and json.loads(both.output)["message"].startswith("Choose one")
    listed = json.loads(_run("user", "api-key", "list", "--json"))
    assert sorted(k["name"] for k in listed) == ["ci", "deploy"]
