"""Rate limiter: notation, the sliding window on both backends, the login pattern."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from app.core.errors import ServiceUnavailable, TooManyRequests
from app.core.ratelimit import (
    KEY_PREFIX,
    Decision,
    MemoryRateLimiter,
    Rate,
    RateLimiter,
    RedisRateLimiter,
    build_limiter,
    ensure_allowed,
    parse_rate,
)

REDIS_URL = os.environ.get("ZHIBEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- notation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("5/hour", Rate(5, 3600)),
        ("30/minute", Rate(30, 60)),
        ("1000/hour", Rate(1000, 3600)),
        ("10/second", Rate(10, 1)),
        ("100/day", Rate(100, 86400)),
        ("5/15minutes", Rate(5, 900)),
        ("5 per 15 minute", Rate(5, 900)),
        (" 20 / Minute ", Rate(20, 60)),
        ("2/s", Rate(2, 1)),
    ],
)
def test_parse_rate(text: str, rate: Rate) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize(
    "text", ["", "5", "five/hour", "5/fortnight", "0/hour", "5/0minutes", "-1/hour", "5/hour;x"]
)
def test_parse_rate_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        parse_rate(text)


def test_ensure_allowed_raises_429_with_retry_after() -> None:
    assert ensure_allowed(Decision(True, 3, 0)).remaining == 3
    with pytest.raises(TooManyRequests) as info:
        ensure_allowed(Decision(False, 0, 42))
    assert info.value.status == 429
    assert info.value.headers["Retry-After"] == "42"


# --- shared behaviour, run against both backends ----------------------------------------------


async def _redis_or_skip() -> aioredis.Redis:
    client = aioredis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        if os.environ.get("CI", "").lower() not in {"", "0", "false"}:
            pytest.fail(f"Redis at {REDIS_URL} is required in CI but unreachable: {exc!r}")
        pytest.skip(f"REDIS NOT REACHABLE at {REDIS_URL} ({exc!r}): Redis limiter NOT TESTED")
    return client


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    prefix = f"{KEY_PREFIX}test:{uuid.uuid4().hex}:"
    yield prefix
    # Best-effort cleanup; keys also expire with their window.
    client = aioredis.from_url(REDIS_URL, socket_connect_timeout=1)
    with contextlib.suppress(Exception):
        keys = [k async for k in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
    await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest, redis_prefix: str) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    client = await _redis_or_skip()
    lim = RedisRateLimiter(client, prefix=redis_prefix)
    yield lim
    await lim.aclose()


async def test_allows_up_to_limit_then_denies(limiter: RateLimiter) -> None:
    rate = Rate(3, 60)
    decisions = [await limiter.hit("k", rate) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[-1].retry_after_s >= 1
    assert 55 <= decisions[-1].retry_after_s <= 60


async def test_peek_does_not_count(limiter: RateLimiter) -> None:
    rate = Rate(2, 60)
    for _ in range(10):
        assert (await limiter.peek("k", rate)).allowed
    assert (await limiter.peek("k", rate)).remaining == 2
    await limiter.hit("k", rate)
    assert (await limiter.peek("k", rate)) == Decision(True, 1, 0)
    await limiter.hit("k", rate)
    denied = await limiter.peek("k", rate)
    assert not denied.allowed
    assert denied.retry_after_s >= 1


async def test_keys_are_independent_and_reset_clears(limiter: RateLimiter) -> None:
    rate = Rate(1, 60)
    assert (await limiter.hit("alice", rate)).allowed
    assert not (await limiter.hit("alice", rate)).allowed
    assert (await limiter.hit("bob", rate)).allowed
    await limiter.reset("alice")
    assert (await limiter.hit("alice", rate)).allowed


async def test_long_keys_are_accepted(limiter: RateLimiter) -> None:
    rate = Rate(1, 60)
    long_key = "u" * 10_000
    assert (await limiter.hit(long_key, rate)).allowed
    assert not (await limiter.peek(long_key, rate)).allowed
    assert (await limiter.peek(long_key[:-1], rate)).allowed


async def test_login_pattern(limiter: RateLimiter) -> None:
    """brief §4: peek before the password check, hit only on failure; success is not limited."""
    rate = parse_rate("5/15minutes")

    async def attempt(user: str, *, password_ok: bool) -> str:
        ensure_allowed(await limiter.peek(f"login:{user}", rate))
        if password_ok:
            return "token"
        await limiter.hit(f"login:{user}", rate)
        return "401"

    for _ in range(20):  # many successful logins: never limited, never counted
        assert await attempt("ok", password_ok=True) == "token"
    for _ in range(5):
        assert await attempt("victim", password_ok=False) == "401"
    for password_ok in (False, True):  # 6th attempt: locked, even with the right password
        with pytest.raises(TooManyRequests) as info:
            await attempt("victim", password_ok=password_ok)
        retry_after = int(info.value.headers["Retry-After"])
        assert 1 <= retry_after <= 900
    assert await attempt("other", password_ok=False) == "401"


# --- memory backend ---------------------------------------------------------------------------


async def test_memory_window_slides_with_clock() -> None:
    clock = FakeClock()
    lim = MemoryRateLimiter(clock=clock)
    rate = Rate(2, 10)
    assert (await lim.hit("k", rate)).allowed  # t=0
    clock.now += 4
    assert (await lim.hit("k", rate)).allowed  # t=4
    clock.now += 1
    denied = await lim.hit("k", rate)  # t=5: oldest leaves at t=10
    assert denied == Decision(False, 0, 5)
    clock.now += 4.5  # t=9.5: still inside
    assert (await lim.peek("k", rate)).retry_after_s == 1  # ceil(0.5), never 0
    clock.now += 0.5  # t=10: the first event has left, the second has not
    assert (await lim.hit("k", rate)) == Decision(True, 0, 0)
    assert not (await lim.hit("k", rate)).allowed


async def test_memory_denied_hits_are_not_counted() -> None:
    clock = FakeClock()
    lim = MemoryRateLimiter(clock=clock)
    rate = Rate(1, 10)
    await lim.hit("k", rate)
    for _ in range(50):
        clock.now += 0.1
        await lim.hit("k", rate)
    clock.now = 1000.0 + 10
    assert (await lim.hit("k", rate)).allowed


async def test_memory_drops_emptied_keys() -> None:
    clock = FakeClock()
    lim = MemoryRateLimiter(clock=clock, sweep_every=10)
    rate = Rate(3, 5)
    for i in range(100):
        await lim.hit(f"k{i}", rate)
    assert len(lim) == 100
    clock.now += 5
    for _ in range(10):
        await lim.peek("fresh", rate)
    assert len(lim) == 0


async def test_memory_is_safe_under_concurrency() -> None:
    lim = MemoryRateLimiter()
    rate = Rate(10, 60)
    results = await asyncio.gather(*(lim.hit("k", rate) for _ in range(50)))
    assert sum(d.allowed for d in results) == 10


# --- redis backend ----------------------------------------------------------------------------


async def test_redis_window_expires(redis_prefix: str) -> None:
    lim = RedisRateLimiter(await _redis_or_skip(), prefix=redis_prefix)
    rate = Rate(2, 1)
    try:
        assert (await lim.hit("k", rate)).allowed
        assert (await lim.hit("k", rate)).allowed
        denied = await lim.hit("k", rate)
        assert denied == Decision(False, 0, 1)
        await asyncio.sleep(1.05)
        assert (await lim.hit("k", rate)).allowed
    finally:
        await lim.aclose()


async def test_redis_keys_are_namespaced_and_expire() -> None:
    client = await _redis_or_skip()
    lim = RedisRateLimiter(client)  # default namespace
    key = f"test:{uuid.uuid4().hex}"
    try:
        await lim.hit(key, Rate(5, 900))
        ttl_ms = await client.pttl(KEY_PREFIX + key)
        assert 899_000 < ttl_ms <= 900_000
        await lim.peek("test:never-hit-" + uuid.uuid4().hex, Rate(5, 900))
        assert await client.exists(KEY_PREFIX + key) == 1
    finally:
        await client.delete(KEY_PREFIX + key)
        await lim.aclose()


async def test_two_redis_instances_share_one_limit(redis_prefix: str) -> None:
    """Two workers = two clients with their own pools; the limit is global, also under races."""
    a = RedisRateLimiter(await _redis_or_skip(), prefix=redis_prefix)
    b = RedisRateLimiter(aioredis.from_url(REDIS_URL), prefix=redis_prefix)
    rate = Rate(10, 60)
    try:
        results = await asyncio.gather(
            *(lim.hit("shared", rate) for _ in range(15) for lim in (a, b))
        )
        assert sum(d.allowed for d in results) == 10
        assert not (await a.peek("shared", rate)).allowed
        await b.reset("shared")
        assert (await a.peek("shared", rate)).allowed
    finally:
        await a.aclose()
        await b.aclose()


async def test_redis_unreachable_fails_closed() -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    lim = build_limiter("redis://127.0.0.1:1/0")
    assert isinstance(lim, RedisRateLimiter)
    try:
        for call in (lim.hit("k", Rate(1, 60)), lim.peek("k", Rate(1, 60)), lim.reset("k")):
            with pytest.raises(ServiceUnavailable) as info:
                await call
            assert info.value.status == 503
            assert "Retry-After" in info.value.headers
    finally:
        await lim.aclose()


def test_build_limiter_without_url_is_in_process() -> None:
    assert isinstance(build_limiter(None), MemoryRateLimiter)
    assert isinstance(build_limiter(""), MemoryRateLimiter)
