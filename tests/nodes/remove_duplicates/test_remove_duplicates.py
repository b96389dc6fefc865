"""Remove Duplicates: memory across executions (static data)."""

from __future__ import annotations

from typing import Any

from engine.sdk.testing import NodeHarness

PREV = {"operation": "previous_executions", "dedupe_value": "{{ $json.id }}"}


def test_previous_executions_remembers_values() -> None:
    h = NodeHarness("core.remove_duplicates")
    store: dict[str, Any] = {}
    assert h.run(PREV, [{"id": 1}, {"id": 2}], static_data=store).json() == [{"id": 1},
                                                                              {"id": 2}]
    res = h.run(PREV, [{"id": 2}, {"id": 3}], static_data=store)
    assert res.json() == [{"id": 3}]
    assert any("Removed 1 duplicate" in line for line in res.logs)
    h.run({"operation": "clear_history"}, [], static_data=store)
    assert h.run(PREV, [{"id": 1}], static_data=store).json() == [{"id": 1}]


def test_history_is_bounded() -> None:
    h = NodeHarness("core.remove_duplicates")
    store: dict[str, Any] = {}
    h.run({**PREV, "history_size": 2}, [{"id": 1}, {"id": 2}, {"id": 3}], static_data=store)
    assert h.run({**PREV, "history_size": 2}, [{"id": 1}, {"id": 3}],
                 static_data=store).json() == [{"id": 1}]


def test_empty_dedupe_value_is_an_error() -> None:
    res = NodeHarness("core.remove_duplicates").run(PREV, [{"name": "no id"}])
    assert res.error is not None and "value to dedupe on is empty" in res.error.message
