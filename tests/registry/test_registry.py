"""Registration, heartbeats, health (unhealthy after two missed beats, removed after
the TTL), deregistration, a Redis that is away, and the in-process fallback."""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

import pytest

from engine import registry
from engine.registry.types import INDEX_KEY, instance_key
from tests.registry.conftest import BEAT, TTL, wait_until


def _redis() -> Any:
    from engine.runtimes._redis import redis_connection

    return redis_connection()


def test_a_process_registers_and_heartbeats(registry_env: str, kind: str) -> None:
    with registry.register(kind, {"weight": 3, "queues": ["a"]}) as reg:
        [inst] = registry.instances(kind)
        assert inst.id == reg.id and inst.health == "healthy" and inst.healthy
        assert inst.pid == os.getpid() and inst.host == socket.gethostname()
        assert inst.version == registry.version() and inst.weight == 3
        assert inst.meta["queues"] == ["a"] and inst.active == 0
        assert inst.started_at.tzinfo is not None and inst.interval_s == BEAT
        first = inst.last_heartbeat
        reg.set_active(4)
        later = wait_until(lambda: [i for i in registry.instances(kind)
                                    if i.last_heartbeat > first and i.active == 4],
                           what="a heartbeat")
        assert later[0].started_at == inst.started_at
        ttl_ms = _redis().pttl(instance_key(reg.id))
        assert 0 < ttl_ms <= TTL * 1000 and registry.instances(kind, healthy_only=True)
    assert registry.instances(kind) == []  # stopping deregisters at once
    assert _redis().zscore(INDEX_KEY, reg.id) is None


def test_missed_heartbeats_make_it_unhealthy_then_it_expires(registry_env: str,
                                                               kind: str) -> None:
    alive = registry.register(kind, id=f"{kind}-alive")
    stuck = registry.Registration(kind, id=f"{kind}-stuck")
    assert stuck.beat()  # one heartbeat, then silence (a frozen or killed process)
    try:
        time.sleep(2 * BEAT + 0.1)
        alive.beat()  # its thread beats too; this keeps the test independent of load
        health = {i.id: i.health for i in registry.instances(kind)}
        assert health == {alive.id: "healthy", stuck.id: "unhealthy"}
        report = registry.check_health()
        assert report.unhealthy >= 1  # marked by this check or by alive's own
        assert _redis().hget(instance_key(stuck.id), "health") == b"unhealthy"
        assert registry.pick(kind).id == alive.id  # unhealthy ones are never picked
        time.sleep(TTL - 2 * BEAT)
        alive.beat()
        assert [i.id for i in registry.instances(kind)] == [alive.id]
        registry.check_health()
        assert _redis().zscore(INDEX_KEY, stuck.id) is None
    finally:
        alive.stop()


def test_a_registry_that_is_away_is_logged_once_and_never_raises(
        registry_env: str, kind: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_REDIS_URL", "redis://127.0.0.1:1/0")
    reset_settings()
    with caplog.at_level(logging.WARNING, logger="engine.registry"):
        reg = registry.register(kind)
        time.sleep(3 * BEAT)
        reg.stop()
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1


def test_without_redis_a_process_lists_itself(data_dir: object, kind: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings

    monkeypatch.delenv("AURA_REDIS_URL", raising=False)
    reset_settings()
    with registry.register(kind) as reg:
        assert [i.id for i in registry.instances(kind)] == [reg.id]
    assert registry.instances(kind) == []


def test_registration_can_be_disabled(registry_env: str, kind: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURA_REGISTRY_ENABLED", "false")
    with registry.register(kind) as reg:
        assert not reg.running and registry.instances(kind) == []
