"""Sliding-window rate limits on a real Valkey."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # For the checker only: imported at run time, pytest would try to collect the class.
    from edu_devstack.testing import TestServers

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from edu_common.cache import create_redis
from edu_common.errors import AppError
from edu_common.ratelimit import Limit, RateLimiter, too_many
from edu_common.settings import ServiceSettings
from redis.asyncio import Redis


@pytest.fixture
async def limiter(edu_servers: TestServers) -> AsyncIterator[RateLimiter]:
    redis = Redis.from_url(edu_servers.valkey.url())
    try:
        yield RateLimiter(redis, prefix=f"rl{uuid.uuid4().hex[:8]}")
    finally:
        await redis.aclose()


def limit(count: int, window: float = 60) -> Limit:
    return Limit(f"login{uuid.uuid4().hex[:6]}", count, window)


async def test_limit_is_enforced_exactly_at_n(limiter: RateLimiter) -> None:
    rule = limit(5)
    verdicts = [await limiter.hit(rule, "ada") for _ in range(5)]
    assert all(v.allowed for v in verdicts)
    assert [v.count for v in verdicts] == [1, 2, 3, 4, 5]
    refused = await limiter.hit(rule, "ada")
    assert not refused.allowed
    assert refused.count == 5
    assert 0 < refused.retry_after_seconds <= 60
    # Refused attempts are not counted, and other subjects have their own budget.
    assert (await limiter.hit(rule, "ada")).count == 5
    assert (await limiter.hit(rule, "grace")).allowed

    error = too_many(refused, rule)
    assert isinstance(error, AppError)
    assert error.status == 429
    assert error.code == "rate_limited"
    assert int(error.headers["Retry-After"]) == refused.retry_after_seconds


async def test_window_slides(limiter: RateLimiter) -> None:
    rule = limit(5, window=1.0)
    for _ in range(3):
        assert (await limiter.hit(rule, "ada")).allowed
    await asyncio.sleep(0.6)
    for _ in range(2):
        assert (await limiter.hit(rule, "ada")).allowed
    refused = await limiter.hit(rule, "ada")
    assert not refused.allowed
    assert refused.retry_after_seconds == 1
    # Past the first three hits' window, but inside the last two's: three slots come back,
    # not five (a fixed window would reset everything).
    await asyncio.sleep(0.55)
    assert [(await limiter.hit(rule, "ada")).allowed for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]


async def test_check_does_not_count(limiter: RateLimiter) -> None:
    rule = limit(2)
    for _ in range(10):
        verdict = await limiter.check(rule, "ada")
        assert verdict.allowed
        assert verdict.count == 0
    await limiter.hit(rule, "ada")
    assert (await limiter.check(rule, "ada")).count == 1
    await limiter.hit(rule, "ada")
    assert not (await limiter.check(rule, "ada")).allowed


async def test_record_then_check_limits_failures(limiter: RateLimiter) -> None:
    rule = limit(3)
    for _ in range(2):
        await limiter.record(rule, "ada")
        assert (await limiter.check(rule, "ada")).allowed
    await limiter.record(rule, "ada")
    verdict = await limiter.check(rule, "ada")
    assert not verdict.allowed
    assert verdict.retry_after_seconds > 0
    await limiter.reset(rule, "ada")
    assert (await limiter.check(rule, "ada")).allowed


async def test_record_sets_an_expiry(limiter: RateLimiter) -> None:
    rule = limit(3, window=30)
    await limiter.record(rule, "ada")
    ttl = await limiter.redis.pttl(f"{limiter.prefix}:{rule.name}:ada")
    assert 0 < ttl <= 30_000


async def test_concurrent_hits_never_exceed_the_limit(limiter: RateLimiter) -> None:
    rule = limit(10)
    verdicts = await asyncio.gather(*(limiter.hit(rule, "ada") for _ in range(50)))
    assert sum(v.allowed for v in verdicts) == 10
    assert sorted(v.count for v in verdicts if v.allowed) == list(range(1, 11))
    assert await limiter.redis.zcard(f"{limiter.prefix}:{rule.name}:ada") == 10


async def test_fails_open_quickly_when_valkey_is_unreachable(
    closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    redis = create_redis(ServiceSettings(redis_url=f"redis://127.0.0.1:{closed_port}/0"))
    started = time.perf_counter()
    try:
        limiter = RateLimiter(redis)
        rule = limit(1)
        for _ in range(3):
            verdict = await limiter.hit(rule, "ada")
            assert verdict.allowed
        assert (await limiter.check(rule, "ada")).allowed
        await limiter.record(rule, "ada")
        await limiter.reset(rule, "ada")
    finally:
        await redis.aclose()
    # Fail open without stalling the request: no long client-side retry loop.
    assert time.perf_counter() - started < 3
    assert any("rate limiter unavailable" in r.getMessage() for r in caplog.records)
