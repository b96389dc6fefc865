"""One leader among any number of scheduler processes: a Redis lock with renewal and
fencing tokens (private to :mod:`engine.triggers.schedules`).

- **acquire**: one Lua script; if the lock key is free, ``INCR`` the fence counter and
  ``SET key "<fence>:<identity>" PX ttl``. The fence grows with every new leadership, so
  a newer leader always holds a larger token than any older one.
- **renew**: compare-and-``PEXPIRE`` (only the holder of exactly this value extends it),
  from a background thread every third of the TTL; a failed renewal drops leadership.
- **release**: compare-and-``DEL`` on shutdown, so a standby takes over at once.
- **fire**: the check at the resource. In one script: the caller must still hold the
  lock (same value) and its fence must not be older than the newest fence that ever
  fired; then ``SET slot-key NX PX`` claims the slot and the last-fired hash is updated.
  A paused ex-leader (GC, SIGSTOP, network partition) that wakes up after its lock
  expired is refused, and even two leaders in a split-brain moment claim a slot once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis

__all__ = ["FIRED", "LeaderLock"]

log = logging.getLogger(__name__)

FIRED, DUPLICATE, NOT_LEADER, STALE_FENCE = 1, 0, -1, -2

_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local f = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], f .. ':' .. ARGV[1], 'PX', ARGV[2])
return f
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: lock, fired-fence, slot, last-hash; ARGV: value, fence, slot ttl ms, field, last
_FIRE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local fence = tonumber(ARGV[2])
local newest = tonumber(redis.call('GET', KEYS[2]) or '0')
if newest > fence then return -2 end
if newest < fence then redis.call('SET', KEYS[2], fence) end
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[3]) then return 0 end
redis.call('HSET', KEYS[4], ARGV[4], ARGV[5])
return 1
"""


def default_identity() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaderLock:
    """The scheduler's leadership lock. Thread-safe for one holder process."""

    def __init__(self, r: redis.Redis, key: str, ttl_s: float,
                 identity: str | None = None) -> None:
        self.r = r
        self.key = key
        self.fence_key = f"{key}:fence"
        self.fired_fence_key = f"{key}:fired-fence"
        self.ttl_ms = max(100, int(ttl_s * 1000))
        self.identity = identity or default_identity()
        self.value: str | None = None
        self.fence: int | None = None
        self._lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._acquire = r.register_script(_ACQUIRE)
        self._renew = r.register_script(_RENEW)
        self._release = r.register_script(_RELEASE)
        self._fire = r.register_script(_FIRE)

    @property
    def held(self) -> bool:
        """Whether this process believes it leads (the fire check has the last word)."""
        return self.value is not None and not self._lost.is_set()

    def acquire(self) -> bool:
        """Tries once to become the leader; starts renewing on success."""
        if self.held:
            return True
        fence = int(self._acquire(keys=[self.key, self.fence_key],
                                  args=[self.identity, self.ttl_ms]))
        if not fence:
            return False
        self.fence, self.value = fence, f"{fence}:{self.identity}"
        self._lost.clear()
        self._start_renewing()
        log.info("scheduler %s is now the leader (fence %d)", self.identity, fence)
        return True

    def renew(self) -> bool:
        """Extends the lock; False (and leadership dropped) if it is not ours any more."""
        if self.value is None:
            return False
        try:
            ok = bool(self._renew(keys=[self.key], args=[self.value, self.ttl_ms]))
        except Exception as exc:
            log.warning("scheduler lock renewal failed: %s", exc)
            ok = False
        if not ok:
            self._drop("could not renew the leader lock")
        return ok

    def release(self) -> None:
        """Gives leadership up (a standby scheduler takes over at its next tick)."""
        self._stop.set()
        value, self.value = self.value, None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        if value is not None:
            with contextlib.suppress(Exception):  # best effort: the TTL expires anyway
                self._release(keys=[self.key], args=[value])

    def fire(self, slot_key: str, slot_ttl_ms: int, last_hash: str, field: str,
             last_value: str) -> int:
        """Claims one slot under the fencing check. Returns :data:`FIRED` (1), 0 when
        the slot was already claimed, -1 when we are not the leader, -2 when a newer
        leader has fired (our fence is stale); on a negative answer leadership drops."""
        if self.value is None or self.fence is None:
            return NOT_LEADER
        res = int(self._fire(keys=[self.key, self.fired_fence_key, slot_key, last_hash],
                             args=[self.value, self.fence, slot_ttl_ms, field, last_value]))
        if res < 0:
            self._drop("lost the leader lock" if res == NOT_LEADER else "a newer leader fired")
        return res

    def _drop(self, why: str) -> None:
        if self.value is not None and not self._lost.is_set():
            log.warning("scheduler %s stops leading: %s", self.identity, why)
        self._lost.set()
        self.value = None

    def _start_renewing(self) -> None:
        self._stop.clear()
        self._generation += 1
        generation, interval = self._generation, self.ttl_ms / 3000

        def loop() -> None:
            while not self._stop.wait(interval) and generation == self._generation:
                if not self.renew():
                    return

        self._thread = threading.Thread(target=loop, name="aura-scheduler-lock", daemon=True)
        self._thread.start()
