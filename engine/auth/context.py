"""The :class:`AuthContext`: everything the auth modules need, built once per store.

It bundles the store, the security settings, the password hasher, the JWT signing keys
and codec, the vault cipher, rate limiters, the mailer and a clock (tests move time by
replacing ``clock``), plus :meth:`AuthContext.audit` to record events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.auth.keys import SigningKeys
from engine.auth.mailer import Mailer, SmtpMailer
from engine.auth.passwords import PasswordHasher
from engine.auth.ratelimit import RateLimiter, limiter
from engine.auth.tokens import TokenCodec
from engine.auth.types import Principal
from engine.config import SecuritySettings, Settings
from engine.store.types import utcnow

if TYPE_CHECKING:
    from engine.store import Store

__all__ = ["AuthContext", "build_context"]


@dataclass
class AuthContext:
    """Dependencies of the auth core (see the module docstring)."""

    store: Store
    security: SecuritySettings
    data_dir: Path
    env: str
    hasher: PasswordHasher
    keys: SigningKeys
    codec: TokenCodec
    mailer: Mailer
    redis_url: str | None = None
    clock: Callable[[], datetime] = utcnow
    _limiters: dict[str, RateLimiter] = field(default_factory=dict)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "clock" and "codec" in self.__dict__:
            self.codec.clock = value  # one notion of "now" for tokens too

    def now(self) -> datetime:
        """The current time (aware, UTC)."""
        return self.clock()

    def cipher(self) -> Any:
        """The vault cipher (re-read each time, so a key rotation is seen at once)."""
        from engine.vault import AesGcmCipher, load_keyring

        return AesGcmCipher(load_keyring(self.data_dir, self.security.encryption_key))

    def limiter(self, name: str) -> RateLimiter:
        """The named rate limiter (see :data:`engine.auth.ratelimit.DEFAULT_LIMITS`)."""
        if name not in self._limiters:
            sec = self.security
            custom = {
                "login_account": (sec.login_max_failures, sec.login_lock_minutes * 60),
                "login": (sec.login_ip_max_failures, sec.login_ip_window_s),
            }
            lim, win = custom.get(name, (None, None))
            self._limiters[name] = limiter(name, lim, win, redis_url=self.redis_url or "")
        return self._limiters[name]

    def audit(
        self,
        actor: Principal | str | None,
        action: str,
        target_type: str = "",
        target_id: str | None = None,
        details: dict[str, Any] | None = None,
        ip: str | None = None,
        *,
        actor_email: str = "",
    ) -> None:
        """Records an audit event (see :mod:`engine.auth.audit`)."""
        from engine.auth.audit import record

        record(
            self.store,
            actor,
            action,
            target_type,
            target_id,
            details,
            ip,
            actor_email=actor_email,
            at=self.now(),
        )


def build_context(store: Store, cfg: Settings, *, mailer: Mailer | None = None) -> AuthContext:
    """An :class:`AuthContext` from settings (keys under ``<data dir>/keys/jwt``, or
    derived from ``AURA_SECRET_KEY`` when it is set)."""
    sec = cfg.security
    cfg.ensure_data_dir()
    keep = timedelta(seconds=max(sec.access_token_ttl_s, 300) + 120)
    keys = SigningKeys(
        cfg.data_dir / "keys" / "jwt",
        keep_retired=keep,
        secret=sec.secret_key,
        previous_secret=sec.secret_key_previous,
    )
    codec = TokenCodec(
        keys, issuer=sec.jwt_issuer, audience=sec.jwt_audience, access_ttl_s=sec.access_token_ttl_s
    )
    hasher = PasswordHasher(
        sec.password_hash_time_cost, sec.password_hash_memory_kib, sec.password_hash_parallelism
    )
    return AuthContext(
        store=store,
        security=sec,
        data_dir=cfg.data_dir,
        env=cfg.env,
        hasher=hasher,
        keys=keys,
        codec=codec,
        mailer=mailer or SmtpMailer(sec, cfg.env),
        redis_url=cfg.redis.url,
    )
