"""docs/settings.md is the settings reference generated from engine.config: it lists every
AURA_* variable the settings tree reads, and nothing the tree does not read."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import Settings, reset_settings, settings
from engine.config_reference import reference

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_docs_settings_page_is_the_generated_reference() -> None:
    assert DOC.read_text() == reference(), (
        "docs/settings.md is out of date: python -m engine.config_reference > docs/settings.md")


def test_every_setting_has_a_description() -> None:
    for line in reference().splitlines():
        if line.startswith("| `AURA_"):
            assert not line.endswith("|  |"), line


def test_an_area_variable_reaches_the_one_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings that had classes of their own (scheduler, events, registry, sandbox,
    single sign-on) are areas of the tree, under their old variable names."""
    monkeypatch.setenv("AURA_SCHEDULER_TICK_S", "0.25")
    monkeypatch.setenv("AURA_SANDBOX_MEMORY_MB", "256")
    monkeypatch.setenv("AURA_OIDC_RATE_LIMIT", "7")
    reset_settings()
    try:
        s = settings()
        assert (s.scheduler.tick_s, s.sandbox.memory_mb, s.oidc.rate_limit) == (0.25, 256, 7)
        assert "`AURA_SCHEDULER_TICK_S`" in reference()
        assert set(Settings.model_fields) >= {"scheduler", "events", "registry", "sandbox", "oidc"}
    finally:
        monkeypatch.undo()
        reset_settings()
