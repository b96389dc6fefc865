"""Fixtures of the knowledge tests: the auth and knowledge services on a fresh store, on
SQLite (with sqlite-vec) and on embedded PostgreSQL (with pgvector)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from engine.auth.types import Principal
from tests.auth.conftest import OWNER_EMAIL, OWNER_PASSWORD, add_user


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    if request.param == "sqlite":
        yield "sqlite"
        return
    from tests.support.postgres import shared_postgres

    pg = shared_postgres()
    url = pg.create_database()
    monkeypatch.setenv("AURA_DB_URL", url)
    yield "postgres"
    from engine.services.store import reset_store

    reset_store()
    pg.drop_database(url)


@pytest.fixture
def kb(backend: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """``engine.services.knowledge`` on a new store of ``backend``."""
    from engine.config import reset_settings
    from engine.services import auth as service
    from engine.services import knowledge
    from engine.services.store import reset_store

    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "64")
    monkeypatch.setenv("AURA_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_PARALLELISM", "1")
    reset_settings()
    reset_store()
    service.reset()
    yield knowledge
    reset_store()
    service.reset()


@pytest.fixture
def owner(kb: ModuleType) -> Principal:
    from engine.services import auth

    auth.create_owner(OWNER_EMAIL, OWNER_PASSWORD, "Olivia")
    tokens = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    assert tokens is not None
    return auth.principal_from_access_token(tokens.access_token)


@pytest.fixture
def erin(owner: Principal) -> Principal:
    from engine.services import auth

    return add_user(auth, owner, "erin@example.com", "editor")


@pytest.fixture
def bob(owner: Principal) -> Principal:
    from engine.services import auth

    return add_user(auth, owner, "bob@example.com", "editor")


DOCS = {
    "install.md": "# Installing AURA\n\nInstall the package with pip install aura, then "
    "start the studio with aura up. The studio opens in your browser.",
    "backup.md": "# Backups\n\nCopy the data directory while the server is stopped. On "
    "PostgreSQL, run pg_dump every night and keep the dumps off the machine.",
    "cats.txt": "Cats sleep for most of the day and purr when they are content. A kitten "
    "plays with string.",
    "webhooks.html": "<html><head><title>Webhooks</title></head><body><nav>Home | Docs | "
    "Pricing</nav><main><h1>Webhooks</h1><p>A webhook trigger starts a "
    "workflow when another service sends an HTTP request to its URL.</p>"
    "</main><footer>Copyright ACME</footer></body></html>",
}
