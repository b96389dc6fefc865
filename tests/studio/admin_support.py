"""Helpers of the admin page state tests: a fresh instance with an owner, users of each
role, and admin page states acting as one of them.

States are made with ``State(_reflex_internal_init=True)`` and their handlers called
through ``Handler.fn(state, ...)``; ``studio.auth.current_principal`` is pointed at the
user the test acts as (the studio's sign-in is tested on its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


class Instance:
    """An AURA instance on a private database, and who acts in the studio."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from engine.services import auth

        self.auth = auth
        self.owner = auth.create_owner("owner@example.com", PASSWORD, "Olive Owner")
        self.acting: Any = self.principal(self.owner.id)
        monkeypatch.setattr("studio.auth.current_principal", lambda state=None: self.acting)

    def principal(self, user_id: str) -> Any:
        from engine.auth.sessions import principal_for_user

        ctx = self.auth.context()
        return principal_for_user(ctx, ctx.store.users.get(user_id))

    def user(self, email: str, role: str) -> Any:
        """A user with ``role`` (invited by the owner, invitation accepted)."""
        inv = self.auth.invite(self.principal(self.owner.id), email, role)
        assert inv.token
        return self.auth.accept_invitation(inv.token, PASSWORD, email.split("@")[0])

    def act_as(self, user_id: str) -> Any:
        self.acting = self.principal(user_id)
        return self.acting


def make(state_cls: type) -> Any:
    """A state instance outside a running app."""
    return state_cls(_reflex_internal_init=True)


def call(state: Any, handler: str, *args: Any) -> Any:
    """Runs an event handler of ``state`` like the app would (returns what it returns)."""
    return getattr(type(state), handler).fn(state, *args)


def toast_text(result: Any) -> str:
    """The text of a returned toast (for asserting what the person reads)."""
    return str(result)


@pytest.fixture(name="instance")
def instance_fixture(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Instance]:
    """A fresh instance with its owner acting in the studio (import this fixture)."""
    from engine.net import allowlist
    from engine.services import auth
    from engine.services.store import reset_store

    monkeypatch.setenv("AURA_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "1024")
    monkeypatch.setenv("AURA_PASSWORD_HASH_PARALLELISM", "1")
    monkeypatch.delenv("AURA_HTTP_ALLOW", raising=False)
    from engine.config import reset_settings

    reset_settings()
    reset_store()
    auth.reset()
    allowlist.invalidate()
    yield Instance(monkeypatch)
    allowlist.invalidate()
    auth.reset()
    reset_store()
