"""Sliding-window rate limits kept in Valkey, exact to the millisecond.

Each key is a sorted set of hit timestamps; one Lua script trims the window, counts and adds
atomically, so concurrent requests on several workers cannot overshoot the limit.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from edu_common.errors import AppError
from edu_common.metrics import RATE_LIMITED

logger = logging.getLogger("edu.ratelimit")

# KEYS[1] key; ARGV: now_ms, window_ms, limit, member, add (1 or 0)
_SCRIPT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local retry = window
  if oldest[2] then retry = tonumber(oldest[2]) + window - now end
  return {0, count, retry}
end
if ARGV[5] == '1' then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  count = count + 1
end
return {1, count, 0}
"""


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window_seconds: float


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after_seconds: int


class RateLimiter:
    """`hit` counts an attempt and refuses it over the limit; `check` only asks; `record` only
    counts (for limits on failures, which are known after the attempt)."""

    def __init__(self, redis: Redis, prefix: str = "rl") -> None:
        self.redis = redis
        self.prefix = prefix
        self._script = redis.register_script(_SCRIPT)

    async def _run(self, limit: Limit, subject: str, add: bool) -> Verdict:
        key = f"{self.prefix}:{limit.name}:{subject}"
        now_ms = int(time.time() * 1000)
        window_ms = int(limit.window_seconds * 1000)
        try:
            allowed, count, retry_ms = await self._script(
                keys=[key],
                args=[now_ms, window_ms, limit.limit, uuid.uuid4().hex, "1" if add else "0"],
            )
        except (RedisError, OSError) as exc:
            # Fail open: a cache outage must not lock every user out; it is logged loudly.
            logger.error("rate limiter unavailable", extra={"limit": limit.name, "error": str(exc)})
            return Verdict(True, 0, 0)
        return Verdict(bool(allowed), int(count), max(1, math.ceil(int(retry_ms) / 1000)))

    async def hit(self, limit: Limit, subject: str) -> Verdict:
        return await self._run(limit, subject, add=True)

    async def check(self, limit: Limit, subject: str) -> Verdict:
        return await self._run(limit, subject, add=False)

    async def record(self, limit: Limit, subject: str) -> None:
        key = f"{self.prefix}:{limit.name}:{subject}"
        now_ms = int(time.time() * 1000)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zadd(key, {uuid.uuid4().hex: now_ms})
                pipe.pexpire(key, int(limit.window_seconds * 1000))
                await pipe.execute()
        except (RedisError, OSError) as exc:
            logger.error("rate limiter unavailable", extra={"limit": limit.name, "error": str(exc)})

    async def reset(self, limit: Limit, subject: str) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self.redis.delete(f"{self.prefix}:{limit.name}:{subject}")


def too_many(verdict: Verdict, limit: Limit) -> AppError:
    RATE_LIMITED.labels(limit.name).inc()
    return AppError(
        429,
        "rate_limited",
        "too many attempts, try again later",
        headers={"Retry-After": str(verdict.retry_after_seconds)},
    )
