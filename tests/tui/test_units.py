"""The console's pure pieces, without a server: settings file, SSE parsing, figures,
events derived from polling, backoff, model parsing and the ``aura tui`` command line."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

import tui.__main__ as tui_main
from engine.cli._instance import RunningUp, UpLock, adopt_running_up
from engine.cli.cmd_tui import console_argv
from engine.config import reset_settings
from tui.client import ApiClient
from tui.config import ConsoleConfig, Credentials, config_path, normalize_url
from tui.connection import Backoff, ConnectionMonitor, ConnectionState
from tui.errors import ApiError, AuthRequired, NotAvailable, Unreachable
from tui.feed import events_from_changes
from tui.metrics import activity, format_duration, per_minute
from tui.models import Event, ExecutionSummary, Service, items_of, parse_time
from tui.sse import SseParser

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def _ex(eid: str, status: str, minutes_ago: float, ms: float | None = 10.0) -> ExecutionSummary:
    at = NOW - timedelta(minutes=minutes_ago)
    return ExecutionSummary(eid, "w1", "Flow", "manual", status, at, at, at, ms, None, 1)


def test_config_round_trip_is_private(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "console.json"
    config = ConsoleConfig.load(path)
    assert config.credentials("http://x:1") is None
    config.remember("x:1/", Credentials("token", "a@b.c", "acc", "ref"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = ConsoleConfig.load(path)
    assert again.last_url == "http://x:1"
    creds = again.credentials("http://x:1")
    assert creds is not None and creds.headers() == {"Authorization": "Bearer acc"}
    again.forget("http://x:1")
    assert ConsoleConfig.load(path).credentials("http://x:1") is None
    path.write_text("{not json")
    assert ConsoleConfig.load(path).servers == {}  # a broken file is not fatal
    key = Credentials("api_key", api_key="aura_k")
    assert key.headers() == {"X-API-Key": "aura_k"} and key.usable


def test_config_path_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AURA_CONSOLE_CONFIG", str(tmp_path / "c.json"))
    reset_settings()
    try:
        assert config_path() == tmp_path / "c.json"
        monkeypatch.delenv("AURA_CONSOLE_CONFIG")
        reset_settings()
        assert config_path().name == "console.json" and "aura" in str(config_path())
        assert normalize_url("127.0.0.1:5678/") == "http://127.0.0.1:5678"
    finally:
        monkeypatch.undo()
        reset_settings()


def test_aura_tui_in_a_second_terminal_opens_the_running_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With 'aura up' running for a data directory, 'aura tui' of the same data directory
    (no URL set) opens that instance's API, as the other 'aura' commands find its Redis;
    a console URL the operator set still wins."""
    data = tmp_path / "data"
    lock = UpLock(data)
    lock.acquire()
    lock.publish(RunningUp(os.getpid(), "redis://127.0.0.1:1", "http://127.0.0.1:7001"))
    for name in (
        "AURA_REDIS_URL",
        "AURA_URL",
        "AURA_CONSOLE_URL",
        "AURA_API_KEY",
        "AURA_CONSOLE_API_KEY",
    ):
        monkeypatch.setenv(name, "")  # remembered, so undo() restores what was there
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env of the repository
    monkeypatch.setenv("AURA_DATA_DIR", str(data))
    monkeypatch.setenv("AURA_CONSOLE_CONFIG", str(tmp_path / "console.json"))
    reset_settings()
    try:
        assert tui_main.console([]).url == "http://127.0.0.1:5678"  # not adopted yet
        adopt_running_up()  # what 'aura' does before 'aura tui' starts the console
        assert tui_main.console([]).url == "http://127.0.0.1:7001"

        monkeypatch.setenv("AURA_REDIS_URL", "")
        monkeypatch.delenv("AURA_REDIS_URL")
        monkeypatch.delenv("AURA_URL")
        monkeypatch.setenv("AURA_CONSOLE_URL", "http://127.0.0.1:7002")
        reset_settings()
        adopt_running_up()
        assert tui_main.console([]).url == "http://127.0.0.1:7002"
        assert tui_main.console(["--url", "h:3"]).url == "http://h:3"
    finally:
        lock.release()
        monkeypatch.undo()
        reset_settings()


def test_sse_parser() -> None:
    parser = SseParser()
    lines = [
        "retry: 3000",
        ": connected",
        "",
        "id: 7",
        "event: node.finished",
        'data: {"a":',
        "data: 1}",
        "",
        ": keepalive",
        "",
    ]
    got = [m for m in (parser.feed(ln) for ln in lines) if m is not None]
    assert len(got) == 1
    assert (got[0].event, got[0].data, got[0].id) == ("node.finished", '{"a":\n1}', "7")
    assert parser.last_id == "7"


def test_event_model_reads_the_engine_shape() -> None:
    ev = Event.from_json(
        "node.finished",
        {
            "type": "node.finished",
            "id": "1-2",
            "ts": "2025-01-31T12:00:00+00:00",
            "execution_id": "e1",
            "workflow_name": "Orders",
            "node": "Set",
            "status": "failed",
            "error": {"message": "boom"},
        },
    )
    assert (ev.type, ev.execution_id, ev.node, ev.status, ev.message) == (
        "node.finished",
        "e1",
        "Set",
        "failed",
        "boom",
    )
    assert ev.at == datetime(2025, 1, 31, 12, tzinfo=UTC)


def test_per_minute_and_activity() -> None:
    series = per_minute(
        [
            NOW - timedelta(seconds=30),
            NOW - timedelta(minutes=59, seconds=30),
            NOW - timedelta(hours=2),
        ],
        NOW,
    )
    assert len(series) == 60 and series[-1] == 1 and series[0] == 1 and sum(series) == 2
    rows = [
        _ex("a", "succeeded", 1, 10),
        _ex("b", "failed", 2, 30),
        _ex("c", "running", 3, None),
        _ex("d", "succeeded", 90),
    ]
    act = activity(rows, NOW)
    assert act.total == 3 and act.failures == 1 and act.success_rate == 0.5
    assert act.median_ms == 30 and sum(act.failures_per_minute) == 1
    assert [format_duration(v) for v in (None, 12, 3400, 125_000, 3_720_000)] == [
        "-",
        "12 ms",
        "3.4 s",
        "2 m 05 s",
        "1 h 02 m",
    ]


def test_events_from_polling_changes() -> None:
    seen: dict[str, str] = {}
    first = events_from_changes(seen, [_ex("b", "running", 1), _ex("a", "queued", 2)])
    assert [(e.execution_id, e.type) for e in first] == [
        ("a", "execution.queued"),
        ("b", "execution.started"),
    ]
    again = events_from_changes(seen, [_ex("b", "failed", 1), _ex("a", "queued", 2)])
    assert [(e.execution_id, e.type, e.status, e.source) for e in again] == [
        ("b", "execution.finished", "failed", "poll")
    ]


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [Backoff(1, 2, 10).delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_monitor_reports_outage_and_recovery() -> None:
    async def scenario() -> list[ConnectionState]:
        states: list[ConnectionState] = []
        answers = iter(
            [
                Unreachable("Cannot reach x: connection refused."),
                Unreachable("Cannot reach x: connection refused."),
            ]
        )

        async def probe() -> object:
            exc = next(answers, None)
            if exc is not None:
                raise exc
            from tui.models import Health

            return Health(True, 1.0, True, {})

        monitor = ConnectionMonitor(
            "http://x",
            probe,
            states.append,  # type: ignore[arg-type]
            interval=0.05,
            backoff=Backoff(0.05, 2, 0.1),
        )
        task = asyncio.ensure_future(monitor.run())
        while not states or not states[-1].connected:
            await asyncio.sleep(0.01)
        task.cancel()
        return states

    states = asyncio.run(scenario())
    down = [s for s in states if s.status == "reconnecting"]
    assert down[0].attempt == 1 and down[-1].attempt == 2
    assert "connection refused" in down[0].describe() and "stale" in down[0].describe()
    assert states[-1].connected


def test_client_maps_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/services":
            return httpx.Response(404, json={"error": "not_found", "message": "no"})
        if request.url.path == "/api/v1/auth/me":
            return httpx.Response(
                401, json={"error": "unauthenticated", "message": "Log in first."}
            )
        return httpx.Response(
            409, json={"error": "conflict", "message": "Still running.", "details": {"id": "e"}}
        )

    async def scenario() -> None:
        client = ApiClient("http://aura.test", transport=httpx.MockTransport(handler))
        with pytest.raises(NotAvailable, match="service registry"):
            await client.services()
        with pytest.raises(AuthRequired, match="Log in first"):
            await client.me()
        with pytest.raises(ApiError) as info:
            await client.delete_execution("e")
        assert info.value.status == 409 and info.value.details == {"id": "e"}
        dead = ApiClient("http://127.0.0.1:9", retries=1, retry_base_s=0.01)
        with pytest.raises(Unreachable, match="connection refused"):
            await dead.health()
        await client.close()
        await dead.close()

    asyncio.run(scenario())


def test_models_are_forgiving() -> None:
    assert items_of([{"a": 1}, 2]) == [{"a": 1}]
    assert items_of({"services": [{"x": 1}]}) == [{"x": 1}]
    assert parse_time("2025-01-01T00:00:00Z") == datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_time("garbage") is None
    svc = Service.from_json(
        {
            "id": "w1",
            "kind": "worker",
            "health": "unhealthy",
            "pid": 7,
            "active": 2,
            "started_at": "2025-01-01T00:00:00Z",
        }
    )
    assert (svc.name, svc.status, svc.pid, svc.load) == ("w1", "unhealthy", 7, 2)
    assert svc.uptime_s is not None and svc.uptime_s > 0


def test_aura_tui_runs_the_console_module() -> None:
    assert console_argv() == [sys.executable, "-m", "tui"]
    assert console_argv("http://h:1", "k", "light") == [
        sys.executable,
        "-m",
        "tui",
        "--url",
        "http://h:1",
        "--api-key",
        "k",
        "--theme",
        "light",
    ]
    assert os.path.exists(sys.executable)
