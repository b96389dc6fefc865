"""The store's change stamp: cached workflow records, static data and ``$vars`` are
reused until any process writes those tables, then read again (engine.store.stamps)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from engine.store import Store, stamps

ROOT = Path(__file__).resolve().parents[2]


def _elsewhere(store: Store, code: str) -> None:
    """Runs ``code`` with ``store`` opened on the same database in another process."""
    url = store.engine.url.render_as_string(hide_password=False)
    script = f"from engine.store import Store\nstore = Store({url!r})\n{code}\nstore.close()"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def _workflow(name: str = "Stamped") -> dict[str, object]:
    return {
        "name": name,
        "nodes": [{"name": "Start", "type": "core.manual_trigger"}],
        "connections": [],
    }


def test_changes_from_another_process_are_read_next_time(store: Store) -> None:
    wid = store.workflows.create(_workflow()).id
    store.variables.set("REGION", "eu")
    assert store.variables.as_dict() == {"REGION": "eu"}
    assert store.workflows.get_static_data(wid) == {}
    assert store.workflows.cached(wid).published_version_id is None

    _elsewhere(
        store,
        f"store.variables.set('REGION', 'us')\n"
        f"store.workflows.set_static_data({wid!r}, {{'cursor': 7}})\n"
        f"store.workflows.publish({wid!r})",
    )
    assert store.variables.as_dict() == {"REGION": "us"}
    assert store.workflows.get_static_data(wid) == {"cursor": 7}
    assert store.workflows.cached(wid).published_version_id is not None

    _elsewhere(store, "store.variables.delete('REGION')")
    assert store.variables.as_dict() == {}


def test_pinned_reads_cost_one_statement_and_see_this_process_writes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = store.workflows.create(_workflow()).id
    store.variables.set("A", "1")
    store.variables.as_dict()
    store.workflows.cached(wid)
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    reader = store.db.stamp_reader  # a SQLite file: the stamp has a connection of its own
    if reader is not None:
        read = reader.read
        monkeypatch.setattr(reader, "read", lambda: seen.append("stamp from setting") or read())
    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with stamps.pinned(store.db):
            for _ in range(3):
                assert store.variables.as_dict() == {"A": "1"}
                assert store.workflows.get_static_data(wid) == {}
            assert len(seen) == 1 and "setting" in seen[0]  # the stamp, read once
            store.variables.set("A", "2")  # a write here: the next read looks again
            assert store.variables.as_dict() == {"A": "2"}
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_the_stamp_of_a_sqlite_file_is_read_without_the_pool(store: Store) -> None:
    """A SQLite file's stamp comes from a connection of its own (cheaper than a pooled
    one), and sees another process's change as soon as it commits."""
    if store.db.stamp_reader is None:
        pytest.skip("PostgreSQL: the stamp is read through the pool")
    before = stamps.current(store.db)
    _elsewhere(store, "store.variables.set('B', '1')")
    after = stamps.current(store.db)
    assert isinstance(after, str) and after != before
    store.close()  # closes the stamp's connection too; the next read opens it again
    assert stamps.current(store.db) == after


def test_a_cached_value_is_a_copy_the_caller_may_change(store: Store) -> None:
    wid = store.workflows.create(_workflow()).id
    store.workflows.set_static_data(wid, {"seen": [1]})
    store.workflows.get_static_data(wid)["seen"].append(2)
    store.variables.set("A", "1")
    store.variables.as_dict()["A"] = "changed"
    assert store.workflows.get_static_data(wid) == {"seen": [1]}
    assert store.variables.as_dict() == {"A": "1"}
