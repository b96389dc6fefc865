"""Rate limits: a sliding window per key, in Redis (shared by every process) or in
process memory when no Redis is configured.

``RateLimiter(redis, "login", limit=5, window_s=60).hit(key)`` counts one attempt for
``key`` (an IP, an e-mail, an API key id) and raises :class:`~engine.errors.RateLimited`
with ``details={"retry_after": seconds}`` when ``limit`` attempts were already counted in
the last ``window_s`` seconds. Refused attempts are not counted, so waiting
``retry_after`` always helps.

The Redis version keeps a sorted set of attempt times per key and does the whole check in
one Lua script on Redis' own clock, so it is exact and atomic across processes. Memory is
at most ``limit`` entries per key, which expire with the window. If Redis fails, the
limiter counts in process for a while (logged) rather than failing every request.
"""

from __future__ import annotations

import contextlib
import logging
import math
import secrets
import threading
import time
from collections import deque
from typing import Any

from engine.errors import RateLimited

__all__ = ["DEFAULT_LIMITS", "LocalRateLimiter", "RateLimiter", "limiter", "redis_client"]

log = logging.getLogger(__name__)

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "login": (20, 300),  # per address: failed logins (any e-mail) per 5 minutes
    "login_account": (10, 900),  # per e-mail: failed attempts per 15 minutes
    "2fa": (10, 300),
    "password_reset": (5, 3600),
    "api_key": (600, 60),  # requests per key per minute
    "webhook": (600, 60),
}
"""name -> (limit, window seconds) used by :func:`limiter` when none is given."""
REDIS_RETRY_S = 30
SWEEP_AT = 10_000
"""In process, expired keys are swept once more than this many are kept."""
"""After a Redis error, limit in process for this long before trying Redis again."""

_LUA = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local member = ARGV[3]
local dry = ARGV[4] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window_ms)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local retry = window_ms
  if oldest[2] then retry = tonumber(oldest[2]) + window_ms - now end
  return {0, count, retry}
end
if not dry then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window_ms)
  count = count + 1
end
return {1, count, 0}
"""


def _refuse(name: str, retry_ms: float, limit: int, window_s: float) -> RateLimited:
    retry = max(1, math.ceil(retry_ms / 1000))
    return RateLimited(
        f"Too many attempts ({name}): at most {limit} in {window_s:g} s. Try again in {retry} s.",
        details={"retry_after": retry, "limit": limit, "window_s": window_s, "name": name},
    )


class LocalRateLimiter:
    """The in-process sliding window (one process only; used without Redis)."""

    _lock = threading.Lock()
    _windows: dict[str, deque[float]] = {}

    def __init__(self, name: str, limit: int, window_s: float, clock: Any = time.monotonic) -> None:
        self.name, self.limit, self.window_s, self.clock = name, limit, window_s, clock

    def _check(self, key: str, count: bool) -> tuple[int, str]:
        """``(attempts remaining, token of the attempt counted)``; raises when full."""
        full = f"{self.name}:{key}"
        now = self.clock()
        with self._lock:
            if len(self._windows) > SWEEP_AT:
                self._sweep(now)
            q = self._windows.setdefault(full, deque())
            while q and q[0] <= now - self.window_s:
                q.popleft()
            if len(q) >= self.limit:
                raise _refuse(
                    self.name, (q[0] + self.window_s - now) * 1000, self.limit, self.window_s
                )
            if count:
                q.append(now)
            if not q:
                self._windows.pop(full, None)
            return self.limit - len(q), f"l:{now!r}"

    def _sweep(self, now: float) -> None:
        """Forgets this limiter's keys whose attempts all left the window (many addresses
        trying once each must not grow the table for ever). Called with the lock held."""
        prefix = f"{self.name}:"
        for full in [
            k
            for k, q in self._windows.items()
            if k.startswith(prefix) and (not q or q[-1] <= now - self.window_s)
        ]:
            del self._windows[full]

    def hit(self, key: str) -> int:
        """Counts an attempt; returns how many remain. Raises RateLimited when full."""
        return self._check(key, True)[0]

    def check(self, key: str) -> int:
        """Raises RateLimited if the next attempt would be refused; counts nothing."""
        return self._check(key, False)[0]

    def acquire(self, key: str) -> str:
        """Counts an attempt like :meth:`hit`; returns a token :meth:`release` takes."""
        return self._check(key, True)[1]

    def release(self, key: str, token: str) -> None:
        """Takes back the one attempt counted by :meth:`acquire` (it went well)."""
        if not token.startswith("l:"):
            return
        full = f"{self.name}:{key}"
        with self._lock:
            q = self._windows.get(full)
            if q is not None:
                with contextlib.suppress(ValueError):
                    q.remove(float(token[2:]))
                if not q:
                    self._windows.pop(full, None)

    def reset(self, key: str) -> None:
        """Forgets ``key``'s attempts (e.g. after a successful login)."""
        with self._lock:
            self._windows.pop(f"{self.name}:{key}", None)

    @classmethod
    def clear_all(cls) -> None:
        """Forgets every in-process window (tests)."""
        with cls._lock:
            cls._windows.clear()


class RateLimiter:
    """A sliding-window limiter: Redis-backed when ``redis`` is a client, otherwise the
    in-process :class:`LocalRateLimiter`.

    Args:
        redis: a ``redis.Redis`` client, or None.
        name: what is limited (part of the Redis key ``aura:rl:<name>:<key>``).
        limit: attempts allowed per window.
        window_s: window length in seconds.
    """

    def __init__(self, redis: Any, name: str, limit: int, window_s: float) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.redis, self.name, self.limit, self.window_s = redis, name, limit, window_s
        self._local = None if redis is not None else LocalRateLimiter(name, limit, window_s)
        self._script = redis.register_script(_LUA) if redis is not None else None
        self._down_until = 0.0

    def _key(self, key: str) -> str:
        return f"aura:rl:{self.name}:{key}"

    def _run(self, key: str, dry: bool) -> tuple[int, str]:
        """``(attempts remaining, token of the attempt counted)``; raises when full."""
        assert self._script is not None
        if time.monotonic() < self._down_until:
            return self._fallback()._check(key, not dry)
        member = secrets.token_hex(8)
        try:
            allowed, count, retry_ms = self._script(
                keys=[self._key(key)],
                args=[
                    self.limit,
                    int(self.window_s * 1000),
                    member,
                    "1" if dry else "0",
                ],
            )
        except Exception as exc:  # Redis down: limit in this process rather than fail
            if isinstance(exc, RateLimited):
                raise
            log.warning(
                "rate limiter %s: Redis unavailable (%s); limiting in process for %d s",
                self.name,
                exc,
                REDIS_RETRY_S,
            )
            self._down_until = time.monotonic() + REDIS_RETRY_S
            return self._fallback()._check(key, not dry)
        if not int(allowed):
            raise _refuse(self.name, float(retry_ms), self.limit, self.window_s)
        return self.limit - int(count), f"r:{member}"

    def hit(self, key: str) -> int:
        """Counts an attempt for ``key``; returns how many remain in the window.

        Raises:
            RateLimited: ``limit`` attempts were counted in the last ``window_s`` seconds;
                ``details["retry_after"]`` is the wait in whole seconds.
        """
        if self._local is not None:
            return self._local.hit(key)
        return self._run(key, False)[0]

    def check(self, key: str) -> int:
        """Like :meth:`hit` but counts nothing (raises if the next hit would fail)."""
        if self._local is not None:
            return self._local.check(key)
        return self._run(key, True)[0]

    def acquire(self, key: str) -> str:
        """Counts an attempt like :meth:`hit`, atomically, and returns a token that
        :meth:`release` takes back: count first, then forgive what went well, so that
        concurrent attempts cannot all slip past a check before any is counted."""
        if self._local is not None:
            return self._local.acquire(key)
        return self._run(key, False)[1]

    def release(self, key: str, token: str) -> None:
        """Takes back the one attempt :meth:`acquire` counted (wherever it was counted)."""
        if self._local is not None:
            self._local.release(key, token)
        elif token.startswith("l:"):
            self._fallback().release(key, token)
        elif token.startswith("r:"):
            try:
                self.redis.zrem(self._key(key), token[2:])
            except Exception as exc:  # Redis down: the attempt stays counted, no harm
                log.debug("rate limiter %s: release skipped (%s)", self.name, exc)

    def _fallback(self) -> LocalRateLimiter:
        """The in-process limiter used while Redis is away (one per limiter, so it counts)."""
        fb = getattr(self, "_fallback_limiter", None)
        if fb is None:
            fb = LocalRateLimiter(self.name, self.limit, self.window_s)
            self._fallback_limiter = fb
        return fb

    def reset(self, key: str) -> None:
        """Forgets the attempts of ``key`` (in Redis, and in the fallback if it was used)."""
        if self._local is not None:
            self._local.reset(key)
            return
        fb = getattr(self, "_fallback_limiter", None)
        if fb is not None:
            fb.reset(key)
        try:
            self.redis.delete(self._key(key))
        except Exception as exc:  # Redis down: nothing stored there to forget right now
            log.debug("rate limiter %s: reset skipped, Redis unavailable (%s)", self.name, exc)


_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def redis_client(url: str) -> Any:
    """A fail-fast client for ``url`` (1 s timeouts, no retries), one per URL: limits and
    replay caches must not make requests wait for a dead Redis."""
    with _clients_lock:
        if url not in _clients:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            # fail fast: a limiter must not make every login wait for a dead Redis
            _clients[url] = redis.Redis.from_url(
                url, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
            )
        return _clients[url]


def limiter(
    name: str,
    limit: int | None = None,
    window_s: float | None = None,
    *,
    redis_url: str | None = None,
) -> RateLimiter:
    """A limiter named ``name`` with :data:`DEFAULT_LIMITS` unless given; on the Redis of
    ``AURA_REDIS_URL`` (or ``redis_url``), in process memory when there is none."""
    if redis_url is None:
        from engine.config import settings

        redis_url = settings().redis.url
    d_limit, d_window = DEFAULT_LIMITS.get(name, (60, 60))
    client = redis_client(redis_url) if redis_url else None
    return RateLimiter(client, name, limit or d_limit, window_s or d_window)
