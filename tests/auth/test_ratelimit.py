"""Rate limits: a sliding window, in Redis across processes or in process memory."""

from __future__ import annotations

import socket
import time

import pytest

from engine.auth.ratelimit import LocalRateLimiter, RateLimiter, limiter
from engine.errors import RateLimited


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_in_process_sliding_window() -> None:
    LocalRateLimiter.clear_all()
    clock = FakeClock()
    lim = LocalRateLimiter("t-local", 3, 60, clock=clock)
    remaining = []
    for _ in range(3):  # at 1000, 1020, 1040
        remaining.append(lim.hit("ip1"))
        clock.t += 20
    assert remaining == [2, 1, 0]
    clock.t = 1050
    with pytest.raises(RateLimited) as err:
        lim.hit("ip1")
    assert err.value.details["retry_after"] == 10  # when the hit at 1000 leaves the window
    assert err.value.http_status == 429
    assert lim.hit("ip2") == 2  # keys are separate
    clock.t = 1060.5
    assert lim.hit("ip1") == 0  # one slot freed, used again
    with pytest.raises(RateLimited):
        lim.hit("ip1")
    lim.reset("ip1")
    assert lim.check("ip1") == 3


def test_without_redis_the_limiter_falls_back_to_process_memory() -> None:
    LocalRateLimiter.clear_all()
    lim = limiter("t-fallback", 2, 10, redis_url="")
    assert lim.redis is None
    lim.hit("k")
    lim.hit("k")
    with pytest.raises(RateLimited, match="Try again in"):
        lim.hit("k")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.redis
def test_redis_limiter_is_shared_between_instances(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete("aura:rl:t-redis:1.2.3.4")
    a = RateLimiter(client, "t-redis", 3, 1)
    b = RateLimiter(redis.Redis.from_url(redis_url), "t-redis", 3, 1)  # another process
    assert a.hit("1.2.3.4") == 2
    assert b.hit("1.2.3.4") == 1
    assert a.check("1.2.3.4") == 1
    assert b.hit("1.2.3.4") == 0
    with pytest.raises(RateLimited) as err:
        a.hit("1.2.3.4")
    assert err.value.details["retry_after"] == 1
    assert 0 < client.pttl("aura:rl:t-redis:1.2.3.4") <= 1000  # keys expire by themselves
    time.sleep(1.05)
    assert a.hit("1.2.3.4") == 2
    a.reset("1.2.3.4")
    assert b.check("1.2.3.4") == 3


@pytest.mark.redis
def test_redis_down_falls_back_instead_of_failing() -> None:

    LocalRateLimiter.clear_all()
    lim = limiter("t-dead", 1, 60, redis_url=f"redis://127.0.0.1:{_free_port()}/0")
    assert lim.redis is not None
    started = time.monotonic()
    lim.hit("k")
    with pytest.raises(RateLimited):
        lim.hit("k")
    assert time.monotonic() - started < 5


def test_many_addresses_trying_once_do_not_grow_the_table_for_ever() -> None:
    from engine.auth import ratelimit

    LocalRateLimiter.clear_all()
    clock = FakeClock()
    lim = LocalRateLimiter("t-sweep", 5, 60, clock=clock)
    for i in range(ratelimit.SWEEP_AT):
        lim.hit(f"198.51.100.{i}")
    clock.t += 61  # all of them left the window
    lim.hit("still-counting")
    lim.hit("still-counting")
    assert len(LocalRateLimiter._windows) <= 2
    assert lim.check("still-counting") == 3
    LocalRateLimiter.clear_all()


@pytest.mark.redis
def test_an_acquired_attempt_can_be_taken_back(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete("aura:rl:t-acquire:5.6.7.8")
    LocalRateLimiter.clear_all()
    for lim in (RateLimiter(client, "t-acquire", 2, 60), RateLimiter(None, "t-acq-l", 2, 60)):
        first = lim.acquire("5.6.7.8")
        second = lim.acquire("5.6.7.8")
        with pytest.raises(RateLimited):
            lim.acquire("5.6.7.8")  # counted before the outcome is known: full
        lim.release("5.6.7.8", second)  # that one went well
        assert lim.check("5.6.7.8") == 1
        lim.release("5.6.7.8", first)
        assert lim.check("5.6.7.8") == 2
