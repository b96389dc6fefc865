"""Fixtures for the HTTP API tests: an app on a private data directory with the inline
runtime, a client for it, and builders of small workflows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import Workflow

OWNER = {"email": "owner@example.com", "password": "correct horse battery staple",
         "name": "Owner"}


@pytest.fixture
def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh app (inline runtime) on its own database (cheap password hashing)."""
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "1024")
    monkeypatch.setenv("AURA_PASSWORD_HASH_PARALLELISM", "1")
    reset_settings()
    from engine.services import auth
    from engine.services.store import reset_store
    from engine.triggers import webhooks
    from studio.api import create_app

    reset_store()
    auth.reset()
    webhooks._tests.clear()
    yield create_app(runtime="inline")
    webhooks._tests.clear()
    auth.reset()
    reset_store()


@pytest.fixture
def owner(app: Any) -> dict[str, Any]:
    """Sets the instance up; returns the owner's login (tokens)."""
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/setup", json=OWNER)
        assert r.status_code == 201, r.text
        return dict(r.json())


@pytest.fixture
def anon(app: Any, owner: dict[str, Any]) -> Iterator[TestClient]:
    """A client that is not signed in (the owner exists)."""
    with TestClient(app) as c:
        yield c


@pytest.fixture
def client(app: Any, owner: dict[str, Any]) -> Iterator[TestClient]:
    """A client signed in as the owner (bearer token)."""
    with TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {owner['access_token']}"
        yield c


@pytest.fixture
def create(client: TestClient) -> Callable[..., str]:
    """Stores a workflow through the API and returns its id."""
    def make(definition: Workflow, *, activate: bool = False, **query: Any) -> str:
        r = client.post("/api/v1/workflows", json=definition, params=query)
        assert r.status_code == 201, r.text
        wid = str(r.json()["id"])
        if activate:
            a = client.post(f"/api/v1/workflows/{wid}/activate")
            assert a.status_code == 200, a.text
        return wid

    return make


@pytest.fixture
def credential(client: TestClient) -> Callable[[str, dict[str, Any]], str]:
    """Stores a credential through the API and returns its id."""
    def make(kind: str, data: dict[str, Any]) -> str:
        r = client.post("/api/v1/credentials", json={"name": kind, "kind": kind,
                                                      "data": data})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    return make
