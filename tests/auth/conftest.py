"""Fixtures of the auth tests: a fresh data directory and SQLite store per test, cheap
password hashing, a controllable clock and a mail outbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pyotp
import pytest

from engine.auth.mailer import Mail
from engine.auth.ratelimit import LocalRateLimiter
from engine.auth.types import Principal
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "Correct-Horse-7"
PASSWORD = "Sturdy-Password-42"


@dataclass
class Outbox:
    """A mailer that keeps messages."""

    sent: list[Mail] = field(default_factory=list)

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)

    def link(self, marker: str = "token=") -> str:
        body = self.sent[-1].body
        return body.split(marker, 1)[1].split()[0]


@dataclass
class Clock:
    """A settable clock for the auth context."""

    now: datetime = field(default_factory=lambda: datetime(2030, 1, 1, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def auth(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """``engine.services.auth`` on a new SQLite store in a private data dir."""
    from engine.config import reset_settings
    from engine.services import auth as service
    from engine.services.store import reset_store

    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "64")
    monkeypatch.setenv("AURA_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_PARALLELISM", "1")
    reset_settings()
    reset_store()
    service.reset()
    LocalRateLimiter.clear_all()
    ctx = service.context()
    ctx.mailer = Outbox()
    yield service
    reset_store()
    service.reset()
    LocalRateLimiter.clear_all()


@pytest.fixture
def outbox(auth: ModuleType) -> Outbox:
    mailer = auth.context().mailer
    assert isinstance(mailer, Outbox)
    return mailer


@pytest.fixture
def clock(auth: ModuleType) -> Clock:
    """Wall-clock-near time the test can move (tokens are still checked by pyjwt
    against the real clock, so only move it forward within token lifetimes)."""
    c = Clock(datetime.now(UTC).replace(microsecond=0))
    auth.context().clock = c
    return c


@pytest.fixture
def owner(auth: ModuleType) -> Principal:
    """The owner, signed in."""
    auth.create_owner(OWNER_EMAIL, OWNER_PASSWORD, "Olivia")
    tokens = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    assert tokens is not None
    return auth.principal_from_access_token(tokens.access_token)


def add_user(auth: ModuleType, owner: Principal, email: str, role: str) -> Principal:
    """Invites and accepts a user with ``role``; returns them signed in."""
    inv = auth.invite(owner, email, role)
    auth.accept_invitation(inv.token, PASSWORD, email.split("@")[0])
    tokens = auth.login(email, PASSWORD).tokens
    assert tokens is not None
    return auth.principal_from_access_token(tokens.access_token)


def totp_now(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)
