"""Sliding-window rate limiting, shared across uvicorn workers through Redis when configured.

The algorithm is an exact sliding log (the `limits` library's "moving window"): every counted
event is a timestamp, an event counts while it is younger than the window, and the next one is
allowed while fewer than `limit` are counted. Exactness matters more than memory here: the
limits are small (5 failed logins, a few public reports per device) and a fixed window would let
a client burst twice the limit across a window boundary.

Denied events are not recorded, so `Retry-After` (the time until the oldest counted event leaves
the window) is truthful: a client that waits that long is let through.

One key holds one rate. To combine a coarse and a fine limit (`10/minute` and `2/second`) use
two keys, e.g. `f"report:{device}:{rate}"`.

Redis failure mode — **fail closed**: `RedisRateLimiter` raises `ServiceUnavailable` (503 with
`Retry-After`) when Redis cannot be reached or answers with an error. A caller that prefers to
fail open (authenticated staff traffic, quality-notes §6 R2) catches it and proceeds, or falls
back to a `MemoryRateLimiter`; the anonymous endpoints let it propagate.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.core.errors import ServiceUnavailable, TooManyRequests

log = logging.getLogger("zhiben.ratelimit")

KEY_PREFIX = "zhiben:rl:"
# Usernames and device keys come from clients; a long one is hashed so that neither Redis
# memory nor the in-process dict can be inflated through the key itself.
_MAX_KEY_LEN = 128

_UNITS: dict[str, int] = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_RATE_RE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*([a-z]+?)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Rate:
    limit: int
    window_s: int

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window_s < 1:
            raise ValueError(f"rate needs limit >= 1 and window >= 1 s, got {self!r}")

    def __str__(self) -> str:
        return f"{self.limit}/{self.window_s}s"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    remaining: int  # events still allowed in the current window (after this one, for `hit`)
    retry_after_s: int  # 0 when allowed, else >= 1


def parse_rate(s: str) -> Rate:
    """Parse "5/hour", "30/minute", "10/second", "100/day", "5/15minutes", "5 per 15 minute"."""
    match = _RATE_RE.match(s)
    unit = match.group(3).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(
            f"invalid rate {s!r}: expected '<count>/<unit>' or '<count>/<n><unit>' with unit "
            "second, minute, hour or day (e.g. '5/hour', '5/15minutes', '5 per 15 minute')"
        )
    count, multiple = int(match.group(1)), int(match.group(2) or "1")
    if count < 1 or multiple < 1:
        raise ValueError(f"invalid rate {s!r}: count and window must be at least 1")
    return Rate(limit=count, window_s=multiple * _UNITS[unit])


def ensure_allowed(decision: Decision) -> Decision:
    """Raise the 429 (with `Retry-After`) for a denied decision; pass an allowed one through."""
    if not decision.allowed:
        raise TooManyRequests(decision.retry_after_s)
    return decision


def _storage_key(key: str) -> str:
    if len(key) > _MAX_KEY_LEN:
        key = "h:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _retry_after(seconds: float) -> int:
    return max(1, math.ceil(seconds))


class RateLimiter(Protocol):
    async def hit(self, key: str, rate: Rate) -> Decision:
        """Count one event for `key`, unless it is over the limit (then nothing is counted)."""
        ...

    async def peek(self, key: str, rate: Rate) -> Decision:
        """Would the next event for `key` be allowed? Counts nothing."""
        ...

    async def reset(self, key: str) -> None:
        """Forget every counted event for `key`."""
        ...

    async def aclose(self) -> None:
        """Release connections (called on application shutdown)."""
        ...


class MemoryRateLimiter:
    """Per-process limiter for development and single-worker setups.

    Memory is bounded: a key holds at most `limit` timestamps (denied events are not stored),
    and keys whose window has emptied are dropped by a periodic sweep.
    """

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, sweep_every: int = 1000
    ) -> None:
        self._clock = clock
        self._sweep_every = sweep_every
        self._ops = 0
        self._lock = asyncio.Lock()
        # key -> (window_s, timestamps oldest first)
        self._logs: dict[str, tuple[int, deque[float]]] = {}

    def __len__(self) -> int:
        return len(self._logs)

    async def hit(self, key: str, rate: Rate) -> Decision:
        return await self._check(key, rate, count=True)

    async def peek(self, key: str, rate: Rate) -> Decision:
        return await self._check(key, rate, count=False)

    async def reset(self, key: str) -> None:
        async with self._lock:
            self._logs.pop(_storage_key(key), None)

    async def aclose(self) -> None:
        self._logs.clear()

    async def _check(self, key: str, rate: Rate, *, count: bool) -> Decision:
        async with self._lock:
            now = self._clock()
            self._maybe_sweep(now)
            skey = _storage_key(key)
            log = self._logs.get(skey, (rate.window_s, deque()))[1]
            _prune(log, now - rate.window_s)
            if len(log) < rate.limit:
                if count:
                    log.append(now)
                    self._logs[skey] = (rate.window_s, log)
                elif not log:
                    self._logs.pop(skey, None)
                return Decision(True, rate.limit - len(log), 0)
            return Decision(False, 0, _retry_after(log[0] + rate.window_s - now))

    def _maybe_sweep(self, now: float) -> None:
        self._ops += 1
        if self._ops < self._sweep_every:
            return
        self._ops = 0
        for skey, (window_s, log) in list(self._logs.items()):
            _prune(log, now - window_s)
            if not log:
                del self._logs[skey]


def _prune(log: deque[float], horizon: float) -> None:
    # An event at exactly `now - window` has left the window (same rule as the Redis script).
    while log and log[0] <= horizon:
        log.popleft()


# KEYS[1] = log key; ARGV = limit, window in µs, unique member, "1" to count.
# Time comes from the Redis server so that workers with skewed clocks agree. Scripts run
# atomically, so check-then-add cannot race between processes.
_SCRIPT = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if n < limit then
  if ARGV[4] == '1' then
    redis.call('ZADD', key, now, ARGV[3])
    n = n + 1
  end
  if n > 0 then
    redis.call('PEXPIRE', key, math.ceil(window / 1000))
  end
  return {1, limit - n, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
"""


class RedisRateLimiter:
    """Limiter shared by every worker that talks to the same Redis. Fails closed (see module)."""

    def __init__(self, redis: aioredis.Redis, *, prefix: str = KEY_PREFIX) -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_SCRIPT)

    async def hit(self, key: str, rate: Rate) -> Decision:
        return await self._run(key, rate, count=True)

    async def peek(self, key: str, rate: Rate) -> Decision:
        return await self._run(key, rate, count=False)

    async def reset(self, key: str) -> None:
        try:
            await self._redis.delete(self._key(key))
        except (RedisError, OSError) as exc:
            raise _unavailable() from exc

    async def aclose(self) -> None:
        await self._redis.aclose()

    def _key(self, key: str) -> str:
        return self._prefix + _storage_key(key)

    async def _run(self, key: str, rate: Rate, *, count: bool) -> Decision:
        window_us = rate.window_s * 1_000_000
        args: list[int | str] = [rate.limit, window_us, uuid.uuid4().hex, "1" if count else "0"]
        try:
            allowed, remaining, wait_us = await self._script(keys=[self._key(key)], args=args)
        except (RedisError, OSError) as exc:
            raise _unavailable() from exc
        if allowed:
            return Decision(True, int(remaining), 0)
        return Decision(False, 0, _retry_after(int(wait_us) / 1_000_000))


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "限流服务暂时不可用，请稍后重试",
        "Rate limiter unavailable",
        code="rate_limiter_unavailable",
    )


def build_limiter(redis_url: str | None) -> RateLimiter:
    """Redis-backed when a URL is configured (several workers share limits), else in-process."""
    if not redis_url:
        return MemoryRateLimiter()
    client = aioredis.from_url(
        redis_url,
        # A limiter sits on the request path: answer fast (503) rather than hang a worker.
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        # One immediate retry covers a pooled connection that went stale across a Redis restart.
        retry=Retry(NoBackoff(), 1),
    )
    return RedisRateLimiter(client)


class FailOpenLimiter:
    """For staff paths (login): when the shared store is down, limit in this process instead
    of refusing everyone (quality-notes §6 R2, §7(e): Redis loss affects only rate limits).
    Anonymous endpoints keep the fail-closed limiter: there a 503 is the safer answer."""

    def __init__(self, primary: RateLimiter, fallback: RateLimiter | None = None) -> None:
        self._primary = primary
        # Not `fallback or …`: an empty MemoryRateLimiter has len 0 and is falsy.
        self._fallback = fallback if fallback is not None else MemoryRateLimiter()

    async def hit(self, key: str, rate: Rate) -> Decision:
        try:
            return await self._primary.hit(key, rate)
        except ServiceUnavailable:
            log.warning("rate limiter store unavailable; limiting in-process")
            return await self._fallback.hit(key, rate)

    async def peek(self, key: str, rate: Rate) -> Decision:
        try:
            return await self._primary.peek(key, rate)
        except ServiceUnavailable:
            log.warning("rate limiter store unavailable; limiting in-process")
            return await self._fallback.peek(key, rate)

    async def reset(self, key: str) -> None:
        await self._fallback.reset(key)
        try:
            await self._primary.reset(key)
        except ServiceUnavailable:
            # A successful login clears its count; with the store down that must not fail it.
            log.warning("rate limiter store unavailable; reset in-process only")

    async def aclose(self) -> None:
        await self._fallback.aclose()
