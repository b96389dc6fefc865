"""Trigger nodes declare their hooks on the spec (lazy import paths, like ``run``); the
engine reaches them only through the catalog, and finds the built-ins by entry point."""

from __future__ import annotations

import pytest

from engine.errors import UnknownNodeType
from engine.sdk import Field, NodeSpec, Params, get_catalog
from engine.sdk.catalog import BUILT_IN, discover_packages


class _P(Params):
    every: int = Field(1, description="Minutes between two runs.")


def _trigger(kind: str, **hooks: str) -> NodeSpec:
    return NodeSpec(type="acme.tick", version=1, title="Tick", description="Ticks.",
                    category="Trigger", params=_P, run="acme.run:execute", inputs=(),
                    trigger=kind, hooks=hooks)  # type: ignore[arg-type]


def test_the_built_in_triggers_declare_their_hooks() -> None:
    cat = get_catalog()
    schedule = cat.get("core.schedule_trigger")
    webhook = cat.get("core.webhook_trigger")
    assert set(schedule.hooks) == {"fire_times"}
    assert set(webhook.hooks) == {"check_request", "cors_headers", "replay_token"}
    cors = cat.hook(webhook, "cors_headers")
    params = webhook.params.model_validate({"path": "orders", "allowed_origins": "https://a.example"})
    assert cors(params, "https://a.example")["Access-Control-Allow-Origin"] == "https://a.example"
    assert cors(params, "https://evil.example") == {}


def test_a_hook_the_trigger_kind_does_not_take_is_refused_when_the_spec_is_built() -> None:
    with pytest.raises(ValueError, match="may declare \\['fire_times'\\]"):
        _trigger("schedule", cors_headers="acme.hooks:cors")
    with pytest.raises(ValueError, match="must be 'module:function'"):
        _trigger("schedule", fire_times="acme.hooks.fire_times")


def test_a_trigger_without_the_hook_says_so() -> None:
    spec = _trigger("schedule")
    with pytest.raises(UnknownNodeType, match="declares no 'fire_times' hook"):
        get_catalog().hook(spec, "fire_times")


def test_the_built_in_package_comes_through_its_entry_point() -> None:
    core = discover_packages()[0]
    assert core.name == "core" and BUILT_IN == "nodes.core:PACKAGE"
    assert "nodes.core.webhook_trigger.spec" in core.spec_modules
