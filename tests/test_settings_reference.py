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
        "docs/settings.md is out of date: python -m engine.config_reference > docs/settings.md"
    )


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


def test_worker_id_debug_and_login_providers_are_read_through_the_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """AURA_WORKER_ID (recorded on the executions a worker runs), AURA_DEBUG (tracebacks
    in the CLI) and the AURA_OIDC_<NAME>_* groups are read by the settings, nowhere else."""
    from engine.config import OidcSettings
    from engine.runtimes._load import worker_identity

    monkeypatch.setenv("AURA_WORKER_ID", "box-1:42.0-abc123")
    monkeypatch.setenv("AURA_DEBUG", "1")
    monkeypatch.setenv("AURA_OIDC_CORP_SSO_CLIENT_ID", "corp-client")
    monkeypatch.setenv("AURA_OIDC_CORP_SSO_ISSUER", "https://sso.corp.example")
    reset_settings()
    try:
        assert (settings().worker_id, settings().debug) == ("box-1:42.0-abc123", True)
        assert worker_identity() == "box-1:42.0-abc123"
        assert OidcSettings().provider_groups()["corp-sso"] == {
            "client_id": "corp-client",
            "issuer": "https://sso.corp.example",
        }
        assert "`AURA_WORKER_ID`" in reference() and "`AURA_DEBUG`" in reference()
    finally:
        monkeypatch.undo()
        reset_settings()
