"""Shared pytest fixtures; import the ones you need into a conftest or test module::

    from tests.support.fixtures import redis_url  # noqa: F401 (a fixture)

``redis_url`` (session scope): the URL of a real Redis server started once per test
session (see :mod:`tests.support.redis`). Tests share it: use your own keys or queue
names, or ``redis_for_tests.flush()``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.redis import RedisForTests

__all__ = ["redis_for_tests", "redis_url"]


@pytest.fixture(scope="session")
def redis_for_tests() -> Iterator[RedisForTests]:
    """The session's Redis server."""
    server = RedisForTests.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_for_tests: RedisForTests) -> str:
    """URL of the session's Redis server."""
    return redis_for_tests.url


def reset_process_state() -> None:
    """Forgets this process's cached settings, store, auth context and Redis connections
    (after a test changed AURA_* variables)."""
    from engine.config import reset_settings
    from engine.runtimes._redis import reset_connections
    from engine.services import auth
    from engine.services.store import reset_store

    reset_settings()
    reset_store()
    reset_connections()
    auth.reset()
