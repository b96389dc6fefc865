"""A private data directory and store per test; publisher keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import app, client, owner  # noqa: F401 (the API tests' fixtures)
from tests.support.fixtures import reset_process_state


@pytest.fixture
def store(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The process-wide store of a fresh data directory (loopback reachable by nodes)."""
    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1")
    reset_process_state()
    from engine.marketplace import live
    from engine.services.store import get_store

    live.invalidate()
    yield get_store()
    reset_process_state()
    live.invalidate()


@pytest.fixture(scope="session")
def acme_key() -> tuple[bytes, bytes]:
    from engine.vault.signing import generate_keypair

    return generate_keypair("ed25519")


@pytest.fixture(scope="session")
def other_key() -> tuple[bytes, bytes]:
    from engine.vault.signing import generate_keypair

    return generate_keypair("ed25519")
