"""Suite-wide fixtures: an isolated data directory per test session, no network
beyond loopback (a test that tries to reach the internet fails loudly), and new SQLite
databases given the migrated schema by copy (:mod:`tests.support.schema_template`; tests
marked ``real_migrations`` migrate for real)."""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="aura-tests-"))
os.environ["AURA_DATA_DIR"] = str(_SESSION_DIR / "data")
os.environ.pop("AURA_DB_URL", None)
os.environ.pop("AURA_REDIS_URL", None)

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        host = str(address[0])
        try:
            ip = ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            ip = None
        if ip is not None and not ip.is_loopback:
            raise OSError(f"tests may only connect to loopback, not {host}")
    _real_connect(self, address)  # type: ignore[arg-type]


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    from tests.support import schema_template

    schema_template.install()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    from tests.support import schema_template

    if item.get_closest_marker("real_migrations"):
        schema_template.disabled.set()
    else:
        schema_template.disabled.clear()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    from engine.config import reset_settings

    reset_settings()
    yield
    reset_settings()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private AURA data directory for one test."""
    d = tmp_path / "aura-data"
    monkeypatch.setenv("AURA_DATA_DIR", str(d))
    from engine.config import reset_settings

    reset_settings()
    return d
