"""A wrong or malformed AURA_ENCRYPTION_KEY stops AURA at start-up with a message, not at
the first credential use: the API (served, and its readiness check), ``aura up``,
``aura worker`` and ``aura scheduler`` refuse it; a rotated key keeps working."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()


def _fresh(monkeypatch: pytest.MonkeyPatch, key: str | None) -> None:
    from tests.support.fixtures import reset_process_state

    if key is None:
        monkeypatch.delenv("AURA_ENCRYPTION_KEY", raising=False)
    else:
        monkeypatch.setenv("AURA_ENCRYPTION_KEY", key)
    reset_process_state()


def _check() -> str:
    from engine.services.startup import check_encryption_key

    return check_encryption_key()


def test_the_first_start_stores_a_sentinel_that_later_starts_check(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.errors import AuraError
    from engine.services.store import get_store
    from engine.vault.keycheck import SETTING_KEY

    _fresh(monkeypatch, KEY_A)
    key_id = _check()
    stored = get_store().settings.get(SETTING_KEY)
    assert stored["key_id"] == key_id and stored["blob"]
    assert KEY_A not in str(stored) and "AURA encryption" not in str(stored)
    assert _check() == key_id  # the same key again: fine
    _fresh(monkeypatch, KEY_B)  # another valid key: not this data's
    with pytest.raises(AuraError) as err:
        _check()
    assert err.value.code == "encryption_key_invalid"
    assert "does not decrypt this installation's data" in err.value.message
    assert "AURA_ENCRYPTION_KEY back to that key" in err.value.message
    assert KEY_B not in err.value.message
    _fresh(monkeypatch, "not-base64-at-all")
    with pytest.raises(AuraError) as err:
        _check()
    assert "unusable" in err.value.message and "44 characters" in err.value.message
    _fresh(monkeypatch, KEY_A)
    assert _check() == key_id


def test_credentials_stored_before_the_check_existed_must_decrypt(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.errors import AuraError
    from engine.services.store import get_store
    from engine.vault import cipher_from_settings
    from engine.vault.keycheck import SETTING_KEY

    _fresh(monkeypatch, KEY_A)
    get_store().credentials.create(
        "api", "header_auth", {"name": "X-Key", "value": "s-1"}, cipher_from_settings()
    )
    assert get_store().settings.get(SETTING_KEY) is None  # an install from before the check
    _fresh(monkeypatch, KEY_B)
    with pytest.raises(AuraError) as err:
        _check()
    assert err.value.code == "encryption_key_invalid"
    assert get_store().settings.get(SETTING_KEY) is None  # nothing was changed
    _fresh(monkeypatch, KEY_A)
    _check()


def test_a_rotated_key_passes_and_the_sentinel_follows_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.services.store import get_store
    from engine.vault.keycheck import SETTING_KEY
    from engine.vault.rotation import rotate_key

    _fresh(monkeypatch, None)  # the key file in the data directory
    old_id = _check()
    result = rotate_key(get_store(), data_dir)
    assert result.new_key_id != old_id
    assert _check() == result.new_key_id
    assert get_store().settings.get(SETTING_KEY)["key_id"] == result.new_key_id
    # losing the key file (a data directory restored without keys/) is caught
    for f in (data_dir / "keys").glob("*.key"):
        f.unlink()
    _fresh(monkeypatch, None)
    with pytest.raises(Exception, match="does not decrypt"):
        _check()


def test_the_api_is_not_ready_and_does_not_start_with_a_wrong_key(
    app: Any, owner: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.config import reset_settings

    with TestClient(app) as c:
        r = c.get("/readyz")
        assert r.status_code == 200 and r.json()["checks"]["encryption_key"] == "ok"
        monkeypatch.setenv("AURA_ENCRYPTION_KEY", KEY_B)
        reset_settings()
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["status"] == "not_ready"
        assert "does not decrypt" in r.json()["checks"]["encryption_key"]
    from engine.vault.keycheck import EncryptionKeyError

    with pytest.raises(EncryptionKeyError), TestClient(app):
        pass  # the app's start-up refuses


def _env(data_dir: Path, key: str, redis: str | None = None) -> dict[str, str]:
    env = {**os.environ, "AURA_DATA_DIR": str(data_dir), "AURA_ENCRYPTION_KEY": key}
    if redis:
        env["AURA_REDIS_URL"] = redis
    return env


@pytest.mark.slow
def test_the_api_process_refuses_to_start(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh(monkeypatch, KEY_A)
    _check()
    p = subprocess.run(
        [sys.executable, "-m", "studio.api", "--port", "1"],
        env=_env(data_dir, KEY_B),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2
    assert "AURA API not started" in p.stderr and "does not decrypt" in p.stderr
    assert "Traceback" not in p.stderr


def test_up_worker_and_scheduler_refuse_a_wrong_key(
    data_dir: Path,
    redis_url: str,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.cli import app as cli

    _fresh(monkeypatch, KEY_A)
    _check()
    runner = CliRunner()
    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    for key, words in ((KEY_B, "does not decrypt"), ("short", "unusable")):
        _fresh(monkeypatch, key)
        for args in (["up", "--check"], ["worker", "--burst"], ["scheduler"]):
            r = runner.invoke(cli, args, catch_exceptions=False)
            assert r.exit_code == 2, (args, r.output)
            assert words in r.output, (args, r.output)
            assert "Traceback" not in r.output
    _fresh(monkeypatch, KEY_A)
    r = runner.invoke(cli, ["up", "--check"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
