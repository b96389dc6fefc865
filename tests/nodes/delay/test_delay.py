"""Delay beyond the inline limit parks the execution instead of holding the worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.sdk import WaitRequested
from engine.sdk.testing import NodeHarness


@pytest.mark.parametrize(
    ("params", "items", "seconds"),
    [
        ({"mode": "delay", "seconds": 300}, [{"a": 1}], 300),
        (
            {"mode": "rate_limit", "rate": 1, "interval_s": 60, "on_excess": "wait"},
            [{"a": 1}, {"a": 2}, {"a": 3}],
            120,
        ),
    ],
)
def test_long_waits_park_the_execution(
    params: dict[str, Any], items: list[Any], seconds: float
) -> None:
    before = datetime.now(UTC)
    with pytest.raises(WaitRequested) as info:
        NodeHarness("core.delay").run(params, items)
    wait = info.value
    assert wait.resume == "time" and wait.until is not None
    assert before + timedelta(seconds=seconds) <= wait.until
    assert wait.until <= datetime.now(UTC) + timedelta(seconds=seconds)
