"""Nobody but AURA's user reads its data directory: the database (with its -wal and -shm),
the signing and encryption keys and the embedded Redis's files are 0600 in 0700 folders,
whatever the umask, and an older installation is tightened when it next starts."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.conftest import OWNER


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """The usual umask (files 0644, folders 0755 unless AURA says otherwise)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_new_installation_is_private(data_dir: Path, app: Any) -> None:
    with TestClient(app) as c:
        assert c.post("/api/v1/auth/setup", json=OWNER).status_code == 201
        token = c.post(
            "/api/v1/auth/login", json={"email": OWNER["email"], "password": OWNER["password"]}
        ).json()
        r = c.post(
            "/api/v1/credentials",
            json={"name": "k", "kind": "header_auth", "data": {"name": "X", "value": "v"}},
            headers={"Authorization": f"Bearer {token['access_token']}"},
        )
        assert r.status_code == 201, r.text
        db = data_dir / "aura.db"
        assert _mode(data_dir) == 0o700
        assert _mode(db) == 0o600
        for extra in ("aura.db-wal", "aura.db-shm"):  # there while the database is open
            assert _mode(data_dir / extra) == 0o600, extra
        keys = data_dir / "keys"
        assert _mode(keys) == 0o700 and _mode(keys / "jwt") == 0o700
        assert (keys / "encryption.key").exists() and list((keys / "jwt").glob("*.pem"))
        # every file (metrics/ belongs to prometheus_client; the 0700 folder guards it)
        loose = {
            str(p.relative_to(data_dir)): oct(_mode(p))
            for p in _files(data_dir)
            if _mode(p) != 0o600 and p.parent.name != "metrics"
        }
        assert loose == {}


def test_an_older_installation_is_tightened_at_start(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.fixtures import reset_process_state

    with TestClient(_app(monkeypatch)) as c:  # a first start...
        assert c.post("/api/v1/auth/setup", json=OWNER).status_code == 201
    reset_process_state()
    # ...then made readable by everyone, as versions before this check left it
    for p in [data_dir, data_dir / "keys", data_dir / "keys" / "jwt"]:
        p.chmod(0o755)
    for p in _files(data_dir):
        p.chmod(0o644)
    with TestClient(_app(monkeypatch)):
        pass
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "aura.db") == 0o600
    assert _mode(data_dir / "keys") == 0o700 and _mode(data_dir / "keys" / "jwt") == 0o700
    assert all(_mode(p) == 0o600 for p in (data_dir / "keys").rglob("*") if p.is_file())
    reset_process_state()


def _app(monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.support.fixtures import reset_process_state

    monkeypatch.setenv("AURA_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "1024")
    monkeypatch.setenv("AURA_PASSWORD_HASH_PARALLELISM", "1")
    reset_process_state()
    from studio.api import create_app

    return create_app(runtime="inline")


def test_the_embedded_redis_keeps_its_files_private(data_dir: Path) -> None:
    import redis

    from engine.runtimes.embedded import start_embedded_redis

    url, handle = start_embedded_redis(data_dir, persist=True, password="pw-for-test")
    try:
        redis.Redis.from_url(url).set("aura:test", "1")
        directory = data_dir / "redis"
        assert _mode(directory) == 0o700
        assert _mode(directory / "server.log") == 0o600
        assert _mode(directory / "url") == 0o600  # it holds the password
    finally:
        handle.stop(timeout_s=5)
