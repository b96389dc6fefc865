"""Fixtures of the service-registry tests: the session's real Redis with short
heartbeat timings (``AURA_REGISTRY_HEARTBEAT_S``/``_TTL_S``), unique kinds per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.env import wait_until  # noqa: F401 (the tests import it from here)
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

BEAT = 0.2
TTL = 1.2


def _reset() -> None:
    from engine.config import reset_settings
    from engine.runtimes._redis import reset_connections

    reset_settings()
    reset_connections()


@pytest.fixture
def registry_env(data_dir: Path, redis_url: str,  # noqa: F811
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """AURA_REDIS_URL and short registry timings; yields the URL."""
    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    monkeypatch.setenv("AURA_REGISTRY_HEARTBEAT_S", str(BEAT))
    monkeypatch.setenv("AURA_REGISTRY_TTL_S", str(TTL))
    _reset()
    yield redis_url
    _reset()


@pytest.fixture
def kind() -> str:
    """A kind no other test or process uses."""
    return f"test-{uuid.uuid4().hex[:8]}"


