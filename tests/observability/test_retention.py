"""Retention that runs: ``aura execution prune`` by hand (with its progress bar), the
scheduler on its own (a real ``aura scheduler`` process), and what the settings page
shows about both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.observability.retention import (
    LAST_RUN_SETTING,
    RetentionTask,
    database_bytes,
    retention_status,
)
from tests.observability.conftest import (
    Env,
    execution_ids,
    old_executions,
    queue_env,
    wait_until,
)


@pytest.fixture
def store(data_dir: Path) -> Iterator[Any]:
    from engine.services.store import get_store, reset_store

    reset_store()
    yield get_store()
    reset_store()


def test_prune_by_hand_deletes_old_executions_and_audit_events_and_shrinks_the_file(
    store: Any,
) -> None:
    old = old_executions(store, 300, days_ago=40, payload=4000)
    recent = old_executions(store, 5, days_ago=1)
    running = store.executions.create(status="running").id
    now = datetime.now(UTC)
    store.audit.add("user.login", at=now - timedelta(days=400))
    store.audit.add("user.login", at=now - timedelta(days=10))
    before = database_bytes(store)

    result = CliRunner().invoke(app, ["execution", "prune"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "300/300" in result.output  # the progress bar reached the end
    assert "Deleted 300 execution(s) and 1 audit event(s)" in result.output
    assert execution_ids(store) == {*recent, running}
    assert not set(old) & execution_ids(store)
    assert store.audit.count() == 1
    after = database_bytes(store)
    assert before is not None and after is not None and after < before / 2
    last = store.settings.get(LAST_RUN_SETTING)
    assert last["trigger"] == "manual" and last["executions_deleted"] == 300


def test_prune_options_override_the_settings_and_json_reports(store: Any) -> None:
    old_executions(store, 6, days_ago=3)
    store.audit.add("user.login", at=datetime.now(UTC) - timedelta(days=500))
    dry = CliRunner().invoke(
        app, ["execution", "prune", "--keep", "2", "--dry-run"], catch_exceptions=False
    )
    assert dry.exit_code == 0, dry.output
    assert "Would delete 4 execution(s) and 1 audit event(s)" in dry.output
    assert len(execution_ids(store)) == 6 and store.audit.count() == 1  # nothing went
    result = CliRunner().invoke(
        app, ["execution", "prune", "--days", "0", "--keep", "2", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert '"executions_deleted": 4' in result.output
    assert len(execution_ids(store)) == 2


def test_the_settings_page_shows_what_is_enforced_and_the_last_run(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.config import reset_settings
    from studio.logic.settings import facts

    monkeypatch.setenv("AURA_EXEC_RETENTION_DAYS", "7")
    monkeypatch.setenv("AURA_EXEC_RETENTION_COUNT", "500")
    monkeypatch.setenv("AURA_RETENTION_AUDIT_DAYS", "90")
    reset_settings()
    shown = {f["label"]: f["value"] for f in facts()}
    assert shown["Execution retention"] == (
        "7 days, at most 500 executions; audit log 90 days; applied by the scheduler every 1 h"
    )
    assert shown["Retention last ran"].startswith("never (the scheduler runs it")

    old_executions(store, 3, days_ago=8)
    CliRunner().invoke(app, ["execution", "prune"], catch_exceptions=False)
    shown = {f["label"]: f["value"] for f in facts()}
    assert shown["Retention last ran"].endswith("by hand: 3 executions and 0 audit events deleted")
    status = retention_status(store)
    assert status["last_run"]["executions_deleted"] == 3
    assert status["next_run"] > status["last_run"]["at"]


def test_the_task_runs_when_due_and_waits_for_the_interval(store: Any) -> None:
    from engine.observability.retention import RetentionPolicy

    policy = RetentionPolicy(
        max_age_days=30, max_count=None, audit_days=None, interval_s=3600, scheduled=True
    )
    old_executions(store, 4, days_ago=31)
    task = RetentionTask(store, policy=policy)
    now = datetime.now(UTC)
    assert task.maybe_start(now)  # never ran: due at once
    task.join()
    assert execution_ids(store) == set()
    old_executions(store, 2, days_ago=31)
    assert not task.maybe_start(now + timedelta(minutes=59))
    # a new leader reads when the last pass ran, from the store
    other = RetentionTask(store, policy=policy)
    assert not other.maybe_start(now + timedelta(minutes=30))
    assert other.maybe_start(now + timedelta(minutes=61))
    other.join()
    assert execution_ids(store) == set()
    off = RetentionTask(store, policy=RetentionPolicy(30, None, None, 1, scheduled=False))
    assert not off.maybe_start(now + timedelta(days=1))


@pytest.mark.slow
def test_the_scheduler_prunes_old_executions_on_its_own_and_the_file_shrinks(
    tmp_path: Path, redis_url: str
) -> None:
    with queue_env(
        "sqlite",
        tmp_path / "data",
        redis_url,
        AURA_EXEC_RETENTION_DAYS="30",
        AURA_RETENTION_INTERVAL_S="1",
    ) as env:
        from engine.services.store import get_store

        store = get_store()
        old = old_executions(store, 400, days_ago=45, payload=4000)
        kept = old_executions(store, 3, days_ago=2)
        before = database_bytes(store)
        assert before is not None
        env.spawn("scheduler", "-v")

        def pruned() -> bool:
            return not set(old) & execution_ids(store)

        wait_until(pruned, 30, "the scheduler to prune the old executions", env)
        assert set(kept) <= execution_ids(store)
        wait_until(
            lambda: (database_bytes(store) or before) < before / 2,
            20,
            "the database file to shrink",
            env,
        )
        # the pass records its report once the space is back
        last = wait_until(lambda: store.settings.get(LAST_RUN_SETTING), 10, "the report", env)
        assert last["trigger"] == "scheduler"  # (a later pass may have deleted nothing)
        # it keeps running on its interval: new old data goes too
        again = old_executions(store, 5, days_ago=45)
        wait_until(
            lambda: not set(again) & execution_ids(store), 20, "the next scheduled pass", env
        )
        assert isinstance(env, Env)


@pytest.mark.postgres
def test_a_pass_on_postgresql_deletes_beyond_the_limits() -> None:
    from engine.observability.retention import RetentionPolicy, apply_retention
    from engine.store import Store
    from tests.support.env import database_url

    with database_url("postgres") as url:
        assert url is not None
        store = Store(url)
        try:
            old = old_executions(store, 5, days_ago=40)
            newest = old_executions(store, 3, days_ago=1)
            now = datetime.now(UTC)
            store.audit.add("user.login", at=now - timedelta(days=100))
            store.audit.add("user.login", at=now)
            policy = RetentionPolicy(
                max_age_days=30, max_count=2, audit_days=90, interval_s=3600, scheduled=True
            )
            report = apply_retention(store, policy=policy)
            assert report.error is None
            assert report.executions_deleted == 6 and report.audit_deleted == 1
            assert report.bytes_before is None  # no file to measure
            assert execution_ids(store) == set(newest[1:])
            assert not set(old) & execution_ids(store)
            assert store.settings.get(LAST_RUN_SETTING)["executions_deleted"] == 6
        finally:
            store.close()
