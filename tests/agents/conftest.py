"""Fixtures of the agent tests: the scripted local LLM server (OpenAI and Anthropic wire
protocols), started once per module and allowed through the outbound HTTP guard; two
editors in two projects on a fresh store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.auth.types import Principal
from tests.auth.conftest import OWNER_EMAIL, OWNER_PASSWORD, add_user
from tests.support.llm_server import LLMServer


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


@pytest.fixture
def llm(llm_server: LLMServer, monkeypatch: pytest.MonkeyPatch) -> LLMServer:
    """The server with an empty script; loopback allowed for this test."""
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1/32")
    reset_settings()
    llm_server.play()
    return llm_server


@dataclass
class People:
    """Two editors in their own projects (and the owner) on a fresh store."""

    owner: Principal
    bob: Principal
    erin: Principal

    def project(self, who: Principal) -> str:
        from engine.services import auth

        project = auth.default_project(who)
        assert project is not None
        return str(project)


@pytest.fixture
def people(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[People]:
    from engine.config import reset_settings
    from engine.services import auth
    from engine.services.store import reset_store

    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "64")
    monkeypatch.setenv("AURA_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_PARALLELISM", "1")
    reset_settings()
    reset_store()
    auth.reset()
    auth.create_owner(OWNER_EMAIL, OWNER_PASSWORD, "Olivia")
    tokens = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    assert tokens is not None
    owner = auth.principal_from_access_token(tokens.access_token)
    yield People(
        owner,
        add_user(auth, owner, "bob@example.com", "editor"),
        add_user(auth, owner, "erin@example.com", "editor"),
    )
    reset_store()
    auth.reset()
